//! The `phonetoken` command-line tool.
fn main() {}
