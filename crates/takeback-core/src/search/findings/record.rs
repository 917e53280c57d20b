//! Recording a sighting: a new finding, or a new sighting of a known one.
//!
//! Idempotent by design: the same image address recorded twice is one finding whose
//! `last_seen` and providers are updated, so a resumed scan that re-records an image creates no
//! duplicate. Copies of one picture at several addresses are tied together by `cluster_id`.

use std::io::Cursor;

use chrono::{DateTime, Utc};
use image::codecs::jpeg::JpegEncoder;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use url::Url;

use super::FindingKind;
use crate::base::error::storage;
use crate::face::matching::{ImageCheck, Verdict};
use crate::face::pdq::{PdqHash, NEAR_DUPLICATE_THRESHOLD};
use crate::storage::vault::Vault;
use crate::Result;

/// Longer side of a finding's thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 256;

/// How a sighting was established.
#[derive(Debug)]
pub enum Evidence<'a> {
    /// Fetched and checked on this device: a hit (`check.verdict.is_hit()`).
    Checked {
        check: &'a ImageCheck,
        bytes: &'a [u8],
    },
    /// Reported by a provider, but it could not be fetched and checked.
    Unverified { why: super::UnverifiedWhy },
}

/// One image seen by a scan.
#[derive(Debug)]
pub struct Sighting<'a> {
    pub image_url: &'a str,
    pub page_url: Option<&'a str>,
    pub seen_by: super::SeenBy,
    pub provider_score: Option<f32>,
    pub evidence: Evidence<'a>,
}

/// What [`record`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordOutcome {
    pub finding_id: i64,
    /// A new finding (not a new sighting of a known one).
    pub created: bool,
}

/// Query parameters that only track the visitor; two addresses differing in them are one image.
const TRACKING_PARAMS: [&str; 4] = ["fbclid", "gclid", "mc_cid", "mc_eid"];

/// The key that decides "same image": the URL without fragment, without tracking parameters,
/// with the remaining parameters sorted (the `url` crate already lower-cases the scheme and host
/// and drops a default port).
pub fn url_key(address: &str) -> String {
    let Ok(mut url) = Url::parse(address.trim()) else {
        return address.trim().to_owned();
    };
    url.set_fragment(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// The site a finding is grouped under.
fn site_of(image_url: &str, page_url: Option<&str>) -> String {
    let host = |text: &str| {
        Url::parse(text).ok().and_then(|u| match u.scheme() {
            "file" => Some("this computer".to_owned()),
            _ => u.host_str().map(str::to_owned),
        })
    };
    page_url
        .and_then(host)
        .or_else(|| host(image_url))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Records `sighting` inside `tx` (a transaction on `vault`'s connection; the thumbnail blob
/// joins it). `job_id` is the scan that saw it.
pub fn record(
    vault: &Vault,
    tx: &Connection,
    sighting: &Sighting<'_>,
    job_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<RecordOutcome> {
    let key = url_key(sighting.image_url);
    let existing: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, verdict FROM findings WHERE url_key = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| storage("looking up a finding", e))?;
    let outcome = match existing {
        Some((id, verdict)) => {
            tx.execute(
                "UPDATE findings SET last_seen = ?1 WHERE id = ?2",
                params![now.to_rfc3339(), id],
            )
            .map_err(|e| storage("updating a finding", e))?;
            // A finding first reported unverified becomes verified once an image is checked.
            if verdict == FindingKind::Unverified.as_str() {
                if let Evidence::Checked { check, bytes } = &sighting.evidence {
                    store_check(vault, tx, id, check, bytes, now)?;
                }
            }
            RecordOutcome {
                finding_id: id,
                created: false,
            }
        }
        None => {
            tx.execute(
                "INSERT INTO findings (url_key, image_url, page_url, site, verdict, sha256,
                     first_seen, last_seen, first_job)
                 VALUES (?1, ?2, ?3, ?4, 'unverified', '', ?5, ?5, ?6)",
                params![
                    key,
                    sighting.image_url,
                    sighting.page_url,
                    site_of(sighting.image_url, sighting.page_url),
                    now.to_rfc3339(),
                    job_id
                ],
            )
            .map_err(|e| storage("adding a finding", e))?;
            let id = tx.last_insert_rowid();
            match &sighting.evidence {
                Evidence::Checked { check, bytes } => {
                    store_check(vault, tx, id, check, bytes, now)?;
                }
                Evidence::Unverified { why } => {
                    tx.execute(
                        "UPDATE findings SET unverified_reason = ?1, cluster_id = ?2,
                             unverified_why = ?3 WHERE id = ?2",
                        params![
                            why.to_string(),
                            id,
                            serde_json::to_string(why).unwrap_or_default()
                        ],
                    )
                    .map_err(|e| storage("adding a finding", e))?;
                }
            }
            RecordOutcome {
                finding_id: id,
                created: true,
            }
        }
    };
    tx.execute(
        "INSERT INTO finding_providers (finding_id, provider, score) VALUES (?1, ?2, ?3)
         ON CONFLICT (finding_id, provider) DO UPDATE SET score = coalesce(excluded.score, score)",
        params![
            outcome.finding_id,
            sighting.seen_by.name(),
            sighting.provider_score
        ],
    )
    .map_err(|e| storage("recording who saw a finding", e))?;
    Ok(outcome)
}

/// Writes what the device found: verdict, distances, hashes, cluster, face and thumbnail.
fn store_check(
    vault: &Vault,
    tx: &Connection,
    id: i64,
    check: &ImageCheck,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<()> {
    let kind = match check.verdict {
        Verdict::OwnersFace => FindingKind::OwnersFace,
        _ => FindingKind::CopyOfRegisteredPhoto,
    };
    let cluster = match &check.pdq {
        Some(hash) => cluster_of(tx, id, hash)?,
        None => id,
    };
    let thumbnail = match make_thumbnail(bytes) {
        Some(jpeg) => Some(vault.blobs().put(tx, &jpeg, now)?),
        None => None,
    };
    tx.execute(
        "UPDATE findings SET verdict = ?1, unverified_reason = NULL, distance = ?2,
             pdq_distance = ?3, sha256 = ?4, pdq = ?5, cluster_id = ?6, face_descriptor = ?7,
             thumbnail_blob = ?8
         WHERE id = ?9",
        params![
            kind.as_str(),
            check.face_distance.map(f64::from),
            check.pdq_distance,
            hex::encode(Sha256::digest(bytes)),
            check.pdq.map(|h| h.to_hex()),
            cluster,
            check.nearest_face.as_ref().map(|d| d.to_le_bytes()),
            thumbnail.as_ref().map(|b| b.as_str().to_owned()),
            id
        ],
    )
    .map_err(|e| storage("recording a finding", e))?;
    Ok(())
}

/// The cluster of the first finding whose PDQ hash is a near-duplicate of `hash`, else `id`'s
/// own. Linear in the number of findings, which stays in the thousands.
fn cluster_of(tx: &Connection, id: i64, hash: &PdqHash) -> Result<i64> {
    let mut statement = tx
        .prepare_cached(
            "SELECT id, cluster_id, pdq FROM findings WHERE pdq IS NOT NULL AND id != ?1 ORDER BY id",
        )
        .map_err(|e| storage("clustering findings", e))?;
    let mut rows = statement
        .query([id])
        .map_err(|e| storage("clustering findings", e))?;
    while let Some(row) = rows.next().map_err(|e| storage("clustering findings", e))? {
        let other: String = row.get(2).map_err(|e| storage("clustering findings", e))?;
        if PdqHash::from_hex(&other).is_some_and(|o| o.distance(hash) <= NEAR_DUPLICATE_THRESHOLD) {
            let other_id: i64 = row.get(0).map_err(|e| storage("clustering findings", e))?;
            let cluster: Option<i64> = row.get(1).map_err(|e| storage("clustering findings", e))?;
            return Ok(cluster.unwrap_or(other_id));
        }
    }
    Ok(id)
}

/// A small JPEG of the image, or `None` when it does not decode (the check already decoded it,
/// so this is rare).
fn make_thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let image = image::load_from_memory(bytes).ok()?;
    let small = image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_keys_ignore_fragments_tracking_and_parameter_order() {
        let same = [
            "https://Example.com:443/a.jpg?b=2&a=1#top",
            "https://example.com/a.jpg?a=1&b=2&utm_source=x",
            "https://example.com/a.jpg?fbclid=1&a=1&b=2",
        ];
        let keys: Vec<String> = same.iter().map(|u| url_key(u)).collect();
        assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
        assert_ne!(url_key("https://example.com/a.jpg?a=2"), keys[0]);
        assert_eq!(
            url_key("https://example.com/a.jpg?utm_x=1"),
            "https://example.com/a.jpg"
        );
    }

    #[test]
    fn sites_come_from_the_page_first() {
        assert_eq!(
            site_of("https://cdn.x.net/a.jpg", Some("https://blog.example/p")),
            "blog.example"
        );
        assert_eq!(site_of("https://cdn.x.net/a.jpg", None), "cdn.x.net");
        assert_eq!(site_of("file:///home/me/a.jpg", None), "this computer");
    }
}
