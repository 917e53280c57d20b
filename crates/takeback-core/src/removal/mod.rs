//! Removal: who signs letters, who to write to, the law they stand on, the letters themselves, the
//! cases with their legal clocks, the request that puts them together, the evidence package
//! (WACZ and PDF report) for police and lawyers, and the typesetting of letters and reports as
//! PDF/A.

pub mod cases;
pub mod contacts;
pub mod evidence;
pub mod identity;
pub mod law;
pub mod letters;
pub mod request;
pub mod typeset;
