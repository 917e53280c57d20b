//! Storage: the profile's encrypted vault (which owns the schema), the OS keyring and the
//! hash-chained audit log, and the check that the database's pages are intact. Knows nothing of
//! faces, search or letters.

pub mod audit;
pub mod integrity;
pub mod secrets;
pub mod vault;
