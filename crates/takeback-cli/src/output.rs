//! Printing results and errors the same way in every command.

use std::process::ExitCode;

use serde::Serialize;
use takeback_core::ErrorCode;

/// Exit codes of the CLI contract.
pub mod exit {
    pub const ERROR: u8 = 1;
    /// Refused by a safety gate, or no match.
    pub const REFUSED: u8 = 3;
}

/// A command's failure: the message goes to stderr and the code becomes the exit status.
#[derive(Debug)]
pub struct Failure {
    pub code: ErrorCode,
    pub message: String,
}

impl Failure {
    pub fn report(self) -> ExitCode {
        eprintln!("takeback: {}", self.message);
        let status = match self.code {
            ErrorCode::Refused => exit::REFUSED,
            _ => exit::ERROR,
        };
        ExitCode::from(status)
    }
}

impl From<takeback_core::Error> for Failure {
    /// The core's message, then the command to type next where there is one.
    fn from(e: takeback_core::Error) -> Self {
        let message = match crate::hints::for_error(&e) {
            Some(hint) => format!("{e}; {hint}"),
            None => e.to_string(),
        };
        Self {
            code: e.code(),
            message,
        }
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure {
        code: ErrorCode::Internal,
        message: format!("could not encode the result as JSON: {e}"),
    })?;
    println!("{text}");
    Ok(())
}
