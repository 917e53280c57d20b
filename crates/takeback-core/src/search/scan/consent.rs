//! Consent to send an image to a remote provider, with a preview of exactly what is sent.
//!
//! [`preview`] prepares the bytes the provider would receive — for a copy finder the owner's
//! whole photo re-encoded without metadata, for a face finder a tight crop of the owner's face —
//! after the own-face gate, and returns them with the provider's stated retention. The owner
//! looks at them; [`record_consent`] audits the consent and returns a [`Consent`] naming the
//! SHA-256 of those bytes. A scan sends a provider only bytes whose SHA-256 matches a consent
//! (preparation is deterministic), so what was shown is what goes.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use takeback_faces::FaceEngine;

use super::registered;
use crate::base::endpoint;
use crate::base::settings::Settings;
use crate::face::gate::{self, Decision, GateRefusal, GateRequest, Purpose};
use crate::search::providers::accounts;
use crate::search::providers::prepare::{
    prepare_face_crop, prepare_whole_photo, FaceBox, PrepareLimits,
};
use crate::search::providers::{PreparedUpload, ProviderId, ProviderKind};
use crate::storage::vault::Vault;
use crate::{storage::audit, Result};

/// The owner's consent to send one image to one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Consent {
    pub provider: ProviderId,
    /// SHA-256 (hex) of the exact bytes the owner saw and approved.
    pub sha256: String,
    /// The origin (`https://host:port`) the owner agreed to send them to. A scan refuses to send
    /// when the provider's configured address has changed since (a consent from before this
    /// field reads as empty, which matches nothing).
    #[serde(default)]
    pub destination: String,
}

/// What a provider would receive, shown before consent.
#[derive(Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProviderPreview {
    pub provider: ProviderId,
    /// Where the bytes would go: the origin of the provider's configured address.
    pub destination: String,
    pub kind: ProviderKind,
    pub what_is_sent: &'static str,
    pub retention: &'static str,
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub byte_len: usize,
    pub sha256: String,
    /// The exact bytes, base64, for an `<img src="data:image/jpeg;base64,…">`.
    pub image_base64: String,
    #[serde(skip)]
    upload: PreparedUpload,
}

// The preview is the owner's photo: never in a log line.
impl std::fmt::Debug for ProviderPreview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderPreview")
            .field("provider", &self.provider)
            .field("byte_len", &self.byte_len)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

impl ProviderPreview {
    /// The exact bytes that would be sent.
    pub fn bytes(&self) -> &[u8] {
        self.upload.bytes()
    }
}

/// Prepares what `provider` would be sent for registered photo `photo_id`, after the gate
/// (audited). A photo that no longer passes the gate, or has no face for a face finder, is
/// refused with the gate's reason.
pub fn preview(
    vault: &Vault,
    engine: &FaceEngine,
    settings: &Settings,
    photo_id: i64,
    provider: ProviderId,
    now: DateTime<Utc>,
) -> Result<ProviderPreview> {
    let destination = destination(settings, provider)?;
    let upload = prepare_for(vault, engine, photo_id, provider, now)?;
    Ok(ProviderPreview {
        provider,
        destination,
        kind: provider.kind(),
        what_is_sent: provider.what_is_sent(),
        retention: provider.retention(),
        media_type: upload.media_type(),
        width: upload.width(),
        height: upload.height(),
        byte_len: upload.bytes().len(),
        sha256: sha256_hex(upload.bytes()),
        image_base64: base64::engine::general_purpose::STANDARD.encode(upload.bytes()),
        upload,
    })
}

/// Records the owner's consent to send `preview` (audited: the entry holds the bytes' SHA-256,
/// the provider and its stated retention).
pub fn record_consent(
    vault: &Vault,
    preview: &ProviderPreview,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Consent> {
    audit::append(
        vault.conn(),
        audit::NewEntry::new(actor, "provider.consent")
            .subject_digest(preview.sha256.clone())
            .detail(serde_json::json!({
                "provider": preview.provider,
                "destination": preview.destination,
                "bytes": preview.byte_len,
                "what_is_sent": preview.what_is_sent,
                "retention": preview.retention,
            })),
        now,
    )?;
    Ok(Consent {
        provider: preview.provider,
        sha256: preview.sha256.clone(),
        destination: preview.destination.clone(),
    })
}

/// The origin `provider` is reached at with these settings: what a consent names.
pub(crate) fn destination(settings: &Settings, provider: ProviderId) -> Result<String> {
    let config = accounts::client_config(settings, provider)?;
    Ok(endpoint::origin(&config.base_url))
}

/// The upload for `provider`: the gate with the provider's purpose, then the re-encoding.
pub(crate) fn prepare_for(
    vault: &Vault,
    engine: &FaceEngine,
    photo_id: i64,
    provider: ProviderId,
    now: DateTime<Utc>,
) -> Result<PreparedUpload> {
    let photo = registered::get(vault.conn(), photo_id)?;
    let bytes = registered::bytes(vault, photo_id)?;
    let limits = PrepareLimits::for_upload(provider.max_upload_bytes());
    let purpose = match provider.kind() {
        ProviderKind::CopyFinder => Purpose::CopySearch,
        ProviderKind::FaceFinder => Purpose::FaceSearch,
    };
    let pass = gate::check_image(
        vault,
        engine,
        &bytes,
        GateRequest {
            purpose,
            actor: "owner",
            attest_shows_me: photo.attested_no_face,
        },
        now,
    )?
    .outcome
    .into_pass()?;
    Ok(match provider.kind() {
        ProviderKind::CopyFinder => prepare_whole_photo(&bytes, limits)?,
        ProviderKind::FaceFinder => {
            let face = pass.face.ok_or_else(|| GateRefusal {
                decision: Decision::NoFace,
                message: format!(
                    "{provider} searches by face, and no face of yours was found in this photo"
                ),
            })?;
            let b = face.bbox;
            prepare_face_crop(
                &bytes,
                FaceBox {
                    x: b.x,
                    y: b.y,
                    width: b.width,
                    height: b.height,
                },
                limits,
            )?
        }
    })
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
