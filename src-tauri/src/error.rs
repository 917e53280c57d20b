//! The one error shape the window sees: `{ code, message }`. The UI switches on `code`
//! (a stable enum from the core) and shows `message`, which is already written for people.

use serde::Serialize;
use takeback_core::ErrorCode;

#[derive(Debug, Clone, Serialize, specta::Type, PartialEq, Eq)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<takeback_core::Error> for IpcError {
    fn from(e: takeback_core::Error) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl IpcError {
    /// For failures of the shell itself (the window system), which the core cannot name.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: message.into(),
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
