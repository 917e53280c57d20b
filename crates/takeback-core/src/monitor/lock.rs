//! One runner at a time: an advisory lock on a file beside the profile's vault, held for the
//! whole cycle and released by the operating system when the process ends (even by `kill -9`),
//! so the window and a systemd timer never run a cycle of the same profile together.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::monitor::error::MonitorError;
use crate::Result;

/// The lock file's name inside a profile's folder.
pub const LOCK_FILE: &str = "monitor.lock";

/// Held while a cycle runs; dropping it releases the lock.
#[derive(Debug)]
pub struct RunnerLock {
    _file: File,
    path: PathBuf,
}

impl RunnerLock {
    /// Takes the lock in `profile_dir`, or returns `None` when another runner holds it.
    pub fn try_acquire(profile_dir: &Path) -> Result<Option<RunnerLock>> {
        let path = profile_dir.join(LOCK_FILE);
        let failed = |e: std::io::Error| MonitorError::Lock {
            reason: e.to_string(),
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(RunnerLock { _file: file, path })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(failed(e).into()),
        }
    }

    /// Whether another runner holds the lock in `profile_dir` now.
    pub fn is_held(profile_dir: &Path) -> Result<bool> {
        Ok(Self::try_acquire(profile_dir)?.is_none())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_runner_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunnerLock::try_acquire(dir.path()).unwrap().unwrap();
        assert!(RunnerLock::try_acquire(dir.path()).unwrap().is_none());
        assert!(RunnerLock::is_held(dir.path()).unwrap());
        drop(first);
        assert!(RunnerLock::try_acquire(dir.path()).unwrap().is_some());
    }
}
