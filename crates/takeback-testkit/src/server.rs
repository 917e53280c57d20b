//! The loopback HTTP server under every mock: own thread, own runtime, request log, faults.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use tokio::sync::oneshot;

/// What a mock may be told to do instead of answering normally, once, on the next request to a
/// path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and the provider's own error body; `retry_after` sets the
    /// `Retry-After` header in seconds.
    Status {
        status: u16,
        retry_after: Option<u32>,
    },
    /// Answer 200 with a body that is not JSON.
    MalformedJson,
    /// Wait this long before answering normally (to trigger client timeouts).
    Delay(Duration),
}

/// One uploaded file of a multipart request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedUpload {
    pub field: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// A request as the mock received it, for tests to inspect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string (it may hold a key: tests only).
    pub query: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    /// Multipart text fields.
    pub fields: Vec<(String, String)>,
    pub uploads: Vec<RecordedUpload>,
    pub json: Option<serde_json::Value>,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// State every mock shares: the request log and the queued faults.
#[derive(Debug, Default)]
pub struct Journal {
    requests: Mutex<Vec<RecordedRequest>>,
    faults: Mutex<HashMap<String, VecDeque<Fault>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding the lock should not hide the real failure.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Journal {
    pub fn record(&self, request: RecordedRequest) {
        let mut requests = lock(&self.requests);
        // Bounded: a runaway client must not exhaust the test's memory.
        if requests.len() < 10_000 {
            requests.push(request);
        }
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    pub fn push_fault(&self, path: &str, fault: Fault) {
        lock(&self.faults)
            .entry(path.to_owned())
            .or_default()
            .push_back(fault);
    }

    pub fn take_fault(&self, path: &str) -> Option<Fault> {
        lock(&self.faults).get_mut(path)?.pop_front()
    }
}

/// A running loopback server. Dropping it stops the server and joins its thread.
#[derive(Debug)]
pub struct LoopbackServer {
    addr: SocketAddr,
    journal: Arc<Journal>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl LoopbackServer {
    /// Serves `router` on 127.0.0.1 (an OS-chosen port) on a thread of its own.
    pub fn start(router: Router, journal: Arc<Journal>) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("the listener's address");
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("loopback-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a runtime for the loopback server");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                    let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                        let _ = stopped.await;
                    });
                    let _ = serve.await;
                });
                // Slow handlers (a mock told to delay) must not keep the test waiting.
                runtime.shutdown_timeout(Duration::from_millis(100));
            })
            .expect("a thread for the loopback server");
        Self {
            addr,
            journal,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.journal.requests()
    }

    /// The requests to `path`.
    pub fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// Makes the next request to `path` fail with `fault` (faults queue up in order).
    pub fn fail_next(&self, path: &str, fault: Fault) {
        self.journal.push_fault(path, fault);
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_are_decoded() {
        let r = RecordedRequest {
            query: "engine=google_lens&api_key=a%2Bb+c&flag".into(),
            ..Default::default()
        };
        assert_eq!(r.query_param("api_key").as_deref(), Some("a+b c"));
        assert_eq!(r.query_param("flag").as_deref(), Some(""));
        assert_eq!(r.query_param("missing"), None);
    }
}
