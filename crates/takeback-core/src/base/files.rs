//! Reading and writing the user's files safely: reads are bounded by the bytes actually read and
//! refuse anything that is not a regular file (a FIFO would hang, `/dev/zero` never ends); writes
//! go through a temporary file in the same folder, so a crash never leaves half a file, and never
//! replace an existing file unless asked to.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Why a user's file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("`{path}` is not a regular file; choose a file, not a folder, device or pipe")]
    NotARegularFile { path: String },

    #[error("`{path}` is larger than {max_mb} MB; choose a smaller file")]
    TooLarge { path: String, max_mb: u64 },

    #[error("`{path}` already exists; choose another name, or confirm replacing it")]
    Exists { path: String },
}

impl FileError {
    pub fn code(&self) -> crate::ErrorCode {
        crate::ErrorCode::InvalidInput
    }
}

crate::layer_error!(FileError);

/// Reads a regular file of at most `max_bytes`, counting the bytes actually read (a reported
/// length can lie).
pub fn read_regular(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    let shown = || path.display().to_string();
    // `metadata` does not open the file, so a FIFO without a writer cannot block here.
    let meta = std::fs::metadata(path).map_err(|e| Error::io("reading", path, e))?;
    if !meta.is_file() {
        return Err(FileError::NotARegularFile { path: shown() }.into());
    }
    let file = File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(max_bytes)).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("reading", path, e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(FileError::TooLarge {
            path: shown(),
            max_mb: max_bytes.div_ceil(1024 * 1024),
        }
        .into());
    }
    Ok(bytes)
}

/// A file written in full to a temporary name beside its destination, not yet visible there.
/// [`StagedFile::publish`] moves it into place; dropping it removes it.
#[derive(Debug)]
pub struct StagedFile {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl StagedFile {
    /// Writes `bytes` beside `path` and syncs them to disk. Refuses at once when `path` exists
    /// and `overwrite` is false, so nothing is done in vain.
    pub fn write(path: &Path, bytes: &[u8], overwrite: bool) -> Result<Self> {
        let mut staged = Self::begin(path, overwrite)?;
        staged
            .temp
            .write_all(bytes)
            .map_err(|e| Error::io("writing", staged.temp.path(), e))?;
        staged.sync()?;
        Ok(staged)
    }

    /// An empty staged file beside `path`, to be written bit by bit through [`StagedFile::file`]
    /// (large exports stream into it), then [`StagedFile::publish`]ed, which syncs it first.
    pub fn begin(path: &Path, overwrite: bool) -> Result<Self> {
        if !overwrite && path.exists() {
            return Err(FileError::Exists {
                path: path.display().to_string(),
            }
            .into());
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
        let temp = tempfile::Builder::new()
            .prefix(crate::base::paths::STAGED_PREFIX)
            .suffix(crate::base::paths::STAGED_SUFFIX)
            .tempfile_in(dir)
            .map_err(|e| Error::io("writing", dir, e))?;
        Ok(Self {
            temp,
            path: path.to_path_buf(),
        })
    }

    /// The temporary file, to write into.
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    fn sync(&self) -> Result<()> {
        self.temp
            .as_file()
            .sync_all()
            .map_err(|e| Error::io("writing", self.temp.path(), e))
    }

    /// Moves the file into place. Without `overwrite`, a file that appeared there meanwhile is
    /// kept and this fails.
    pub fn publish(self, overwrite: bool) -> Result<PathBuf> {
        self.sync()?;
        let path = self.path;
        let result = if overwrite {
            self.temp.persist(&path)
        } else {
            self.temp.persist_noclobber(&path)
        };
        match result {
            Ok(_) => Ok(path),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(FileError::Exists {
                    path: path.display().to_string(),
                }
                .into())
            }
            Err(e) => Err(Error::io("saving", &path, e.error)),
        }
    }
}

/// Writes `bytes` to `path` atomically (see [`StagedFile`]).
pub fn write_atomically(path: &Path, bytes: &[u8], overwrite: bool) -> Result<PathBuf> {
    StagedFile::write(path, bytes, overwrite)?.publish(overwrite)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn reads_are_bounded_by_what_is_read_and_refuse_devices_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, vec![7u8; 100]).unwrap();
        assert_eq!(read_regular(&file, 100).unwrap().len(), 100);
        let err = read_regular(&file, 99).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(FileError::TooLarge { .. })),
            "{err}"
        );
        for not_a_file in [Path::new("/dev/zero"), dir.path()] {
            let err = read_regular(not_a_file, 1024).unwrap_err();
            assert!(
                matches!(err.downcast_ref(), Some(FileError::NotARegularFile { .. })),
                "{not_a_file:?}: {err}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_a_writer_is_refused_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = read_regular(&fifo, 1024).unwrap_err();
        assert!(matches!(
            err.downcast_ref(),
            Some(FileError::NotARegularFile { .. })
        ));
    }

    #[test]
    fn writes_never_clobber_unless_asked_and_leave_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("letter.txt");
        write_atomically(&path, b"one", false).unwrap();
        let err = write_atomically(&path, b"two", false).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(FileError::Exists { .. })),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_atomically(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(names(path.parent().unwrap()), ["letter.txt"]);
    }

    #[test]
    fn a_staged_file_that_is_dropped_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pdf");
        let staged = StagedFile::write(&path, b"%PDF", false).unwrap();
        assert_eq!(names(dir.path()).len(), 1, "only the temporary file");
        drop(staged);
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn a_file_that_appears_while_staged_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        let staged = StagedFile::write(&path, b"mine", false).unwrap();
        std::fs::write(&path, b"theirs").unwrap();
        assert!(staged.publish(false).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"theirs");
    }
}
