//! Search: the polite crawler, the remote search providers, the sources a scan watches, the
//! scans themselves and the findings they keep.

pub mod crawl;
pub mod error;
pub mod every;
pub mod findings;
pub mod providers;
pub mod scan;
pub mod sources;
