//! Storage: the profile's encrypted vault (which owns the schema), the OS keyring and the
//! hash-chained audit log. Knows nothing of faces, search or letters.

pub mod audit;
pub mod secrets;
pub mod vault;
