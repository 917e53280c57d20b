//! A tiny HTTP/1.1 server on 127.0.0.1 whose answers a test changes as it goes (an image that is
//! served, then 404s; a server error; a slow answer). Plain `std::net`, one thread per
//! connection, `Connection: close`; every path not set answers 404 (so `robots.txt` allows
//! everything). Stops listening when dropped, so the same addresses then refuse connections.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How the site answers one path.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this body.
    Body {
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// This status, empty body.
    Status(u16),
    /// Wait this long, then 200 with an empty body (to make clients time out).
    Slow(Duration),
    /// 302 to this path on the same site.
    Redirect(&'static str),
    /// This status (429, 503) with this `Retry-After` value, empty body.
    Throttle {
        status: u16,
        retry_after: &'static str,
    },
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Reply>,
    hits: Vec<String>,
}

pub struct StubSite {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl StubSite {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("the listener's address");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let state = state.clone();
                            std::thread::spawn(move || answer(stream, &state));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Self {
            addr,
            state,
            stop,
            accept: Some(accept),
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_owned(), reply);
    }

    /// Requests received for `path`.
    pub fn hits(&self, path: &str) -> usize {
        let state = self.state.lock().unwrap();
        state.hits.iter().filter(|p| *p == path).count()
    }
}

impl Drop for StubSite {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn answer(mut stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/").to_owned();
    let reply = {
        let mut state = state.lock().unwrap();
        state.hits.push(path.clone());
        state.routes.get(&path).cloned()
    };
    let mut location = String::new();
    let (status, content_type, body) = match reply {
        Some(Reply::Body { content_type, body }) => (200, content_type, body),
        Some(Reply::Status(status)) => (status, "text/plain", Vec::new()),
        Some(Reply::Slow(delay)) => {
            std::thread::sleep(delay);
            (200, "image/jpeg", Vec::new())
        }
        Some(Reply::Redirect(to)) => {
            location = format!("Location: {to}\r\n");
            (302, "text/plain", Vec::new())
        }
        Some(Reply::Throttle {
            status,
            retry_after,
        }) => {
            location = format!("Retry-After: {retry_after}\r\n");
            (status, "text/plain", Vec::new())
        }
        None => (404, "text/plain", Vec::new()),
    };
    let head = format!(
        "HTTP/1.1 {status} Stub\r\nContent-Type: {content_type}\r\n{location}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}
