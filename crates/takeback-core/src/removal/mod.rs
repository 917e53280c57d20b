//! Removal: who signs letters, who to write to, the law they stand on, the letters themselves, the
//! cases with their legal clocks, and the request that puts them together.

pub mod cases;
pub mod contacts;
pub mod identity;
pub mod law;
pub mod letters;
pub mod request;
