//! Developer tasks (being written).
fn main() {}
