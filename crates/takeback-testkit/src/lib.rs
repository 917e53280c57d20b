//! Loopback servers for Takeback's tests: faithful mocks of the search providers' APIs
//! (research/providers.md §7.5) and a fake web for the site crawler.
//!
//! Every server listens on 127.0.0.1 on a port the OS picks, runs on its own thread and runtime
//! (so synchronous tests, async tests and tests that spawn the CLI can all use it), records the
//! requests it received, can be told to fail in the ways the real services fail, and stops when
//! dropped. Nothing here contacts another host. [`arbitrary`] holds the input generators of the
//! property tests.

pub mod arbitrary;
pub mod fakeweb;
pub mod livesite;
pub mod providers;
mod server;

pub use server::{Fault, LoopbackServer, RecordedRequest, RecordedUpload};
