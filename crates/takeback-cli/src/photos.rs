//! Photos named on the command line: the face engine that reads them, and their bytes, read
//! within the engine's size limit and only from regular files (a FIFO or `/dev/zero` is refused,
//! not read forever).

use std::path::Path;

use takeback_core::base::files;
use takeback_faces::FaceEngine;

use crate::output::Failure;

pub fn load_engine() -> Result<FaceEngine, Failure> {
    FaceEngine::load().map_err(|e| Failure::from(takeback_core::Error::from(e)))
}

/// Reads an image file of at most the size the face engine decodes.
pub fn read_image(path: &Path, engine: &FaceEngine) -> Result<Vec<u8>, Failure> {
    Ok(files::read_regular(
        path,
        engine.options().decode_limits.max_file_bytes,
    )?)
}
