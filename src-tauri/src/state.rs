//! What the shell keeps between commands. Domain state lives in the core; this only holds the
//! handles to it.

use std::sync::Mutex;

use takeback_core::paths::DataDir;
use takeback_core::settings::Settings;

#[derive(Debug)]
pub struct AppState {
    pub data_dir: DataDir,
    /// Settings are small and read often; writes go straight to disk through the core.
    pub settings: Mutex<Settings>,
}

impl AppState {
    pub fn new(data_dir: DataDir) -> takeback_core::Result<Self> {
        let settings = Settings::load(&data_dir)?;
        Ok(Self {
            data_dir,
            settings: Mutex::new(settings),
        })
    }
}
