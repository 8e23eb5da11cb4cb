//! What of a user's argument or environment value may appear in a message: the library's
//! rules (`phonetoken::keystore`), so the tool and the Python package show the same.

pub(crate) use phonetoken::keystore::shown_path as path;
