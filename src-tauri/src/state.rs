//! What the shell keeps between commands: the core's session (the unlocked profiles and what
//! each holds, the running scan, the keyring and the face engine), shared with the threads it
//! starts. The rules of the session live in `takeback_core::session`.

use std::sync::Arc;

use takeback_core::base::paths::DataDir;
use takeback_core::session::{NetworkPolicy, Session};

/// `TAKEBACK_ALLOW_LOCAL_NETWORK=1` lets lookups and scans reach loopback and private addresses
/// (an air-gapped clinic's own servers, the end-to-end tests' loopback servers), like the CLI's
/// `--allow-local-network`.
pub const ALLOW_LOCAL_NETWORK_ENV: &str = "TAKEBACK_ALLOW_LOCAL_NETWORK";

#[derive(Debug)]
pub struct AppState {
    pub session: Arc<Session>,
}

impl AppState {
    pub fn new(data_dir: DataDir) -> takeback_core::Result<Self> {
        let network = NetworkPolicy {
            allow_local_network: std::env::var(ALLOW_LOCAL_NETWORK_ENV).is_ok_and(|v| v == "1"),
        };
        Ok(Self {
            session: Arc::new(Session::new(data_dir, network)?),
        })
    }
}
