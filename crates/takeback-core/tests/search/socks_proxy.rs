//! A SOCKS5 proxy on 127.0.0.1 for tests (RFC 1928, no authentication, CONNECT only). It
//! records the host name each client asked for, and the first bytes the client sent through it
//! (an HTTP request's head), then relays the connection to one fixed address whatever name was
//! asked, as Tor would reach the real site. Plain `std::net`, one thread per connection.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Tunnel {
    /// The name (or address) and port the client asked the proxy to connect to.
    pub host: String,
    pub port: u16,
    /// What the client sent first through the tunnel.
    pub first_bytes: Vec<u8>,
}

pub struct SocksProxy {
    addr: SocketAddr,
    tunnels: Arc<Mutex<Vec<Tunnel>>>,
}

impl SocksProxy {
    /// Relays every CONNECT to `target`.
    pub fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("the listener's address");
        let tunnels = Arc::new(Mutex::new(Vec::new()));
        let recorded = tunnels.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let recorded = recorded.clone();
                std::thread::spawn(move || {
                    let _ = relay(stream, target, &recorded);
                });
            }
        });
        Self { addr, tunnels }
    }

    /// `socks5h://127.0.0.1:PORT`, the form the `network.proxy` setting takes.
    pub fn url(&self) -> String {
        format!("socks5h://{}", self.addr)
    }

    pub fn tunnels(&self) -> Vec<Tunnel> {
        self.tunnels.lock().unwrap().clone()
    }
}

fn relay(
    mut client: TcpStream,
    target: SocketAddr,
    tunnels: &Mutex<Vec<Tunnel>>,
) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    // Greeting: version 5, n methods, the methods; answer "no authentication".
    let mut head = [0u8; 2];
    client.read_exact(&mut head)?;
    let mut methods = vec![0u8; head[1] as usize];
    client.read_exact(&mut methods)?;
    client.write_all(&[5, 0])?;
    // Request: version, CONNECT (1), reserved, address type, address, port.
    let mut request = [0u8; 4];
    client.read_exact(&mut request)?;
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip)?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len)?;
            let mut name = vec![0u8; len[0] as usize];
            client.read_exact(&mut name)?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => return Ok(()),
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port)?;
    let mut upstream = TcpStream::connect(target)?;
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
    let mut first = vec![0u8; 4096];
    let n = client.read(&mut first)?;
    first.truncate(n);
    upstream.write_all(&first)?;
    tunnels.lock().unwrap().push(Tunnel {
        host,
        port: u16::from_be_bytes(port),
        first_bytes: first,
    });
    let mut back = upstream.try_clone()?;
    let mut client_back = client.try_clone()?;
    let down = std::thread::spawn(move || {
        let _ = std::io::copy(&mut back, &mut client_back);
        let _ = client_back.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut client, &mut upstream);
    let _ = upstream.shutdown(Shutdown::Write);
    let _ = down.join();
    Ok(())
}
