//! Cancelling long-running actions.

/// Cancels a scan, a re-check or a fetch: `cancel.cancel()` from any thread. A cancelled scan is
/// resumable.
pub type CancelFlag = tokio_util::sync::CancellationToken;
