//! How long one Argon2id unlock takes with the default parameters (and neighbours), on this
//! machine: `cargo run --release -p takeback-core --example kdf_bench`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::Instant;

use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::keys::WrappedKey;
use takeback_core::storage::vault::{KdfParams, ProfileKey};

fn main() {
    let passphrase = Secret::new("a passphrase of several words".to_owned());
    let key = ProfileKey::generate().unwrap();
    let candidates = [
        (
            "64 MiB, 3 passes",
            KdfParams {
                m_cost_kib: 64 * 1024,
                t_cost: 3,
                p_cost: 1,
            },
        ),
        ("default", KdfParams::DEFAULT),
        (
            "256 MiB, 4 passes",
            KdfParams {
                m_cost_kib: 256 * 1024,
                t_cost: 4,
                p_cost: 1,
            },
        ),
    ];
    for (name, params) in candidates {
        let wrapped = WrappedKey::seal(&key, &passphrase, params, "bench").unwrap();
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            wrapped.open(&passphrase, "bench").unwrap();
            times.push(started.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name:>18} ({} MiB, t={}): median unlock {:.3} s (min {:.3}, max {:.3})",
            params.m_cost_kib / 1024,
            params.t_cost,
            times[2],
            times[0],
            times[4]
        );
    }
}
