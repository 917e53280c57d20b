//! "Check a photo": the own-face gate on a photo the user picks.

use chrono::Utc;
use serde::Serialize;
use takeback_core::gate::{self, Decision, GateRequest, Purpose};
use tauri::State;

use super::profiles::blocking;
use crate::error::{IpcError, IpcResult};
use crate::images::{self, FaceBox};
use crate::state::AppState;

/// The gate's answer, with what the window needs to draw it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct GateAnswer {
    pub allowed: bool,
    /// `match`, `no_match`, `attested_no_face`, `no_face`, `minor`, `not_enrolled`.
    pub decision: String,
    pub distance: Option<f32>,
    pub threshold: f32,
    /// The face the decision is about.
    pub decisive: Option<FaceBox>,
    /// Every face found.
    pub faces: Vec<FaceBox>,
    pub width: u32,
    pub height: u32,
    /// What to tell the user, in plain words.
    pub message: String,
    /// The audit entry that recorded this decision.
    pub audit_seq: i32,
}

/// Asks the gate whether the photo shows the profile's owner. `attest_shows_me` is the owner's
/// statement that a photo without a detectable face shows them (it is recorded in the audit
/// log). Every answer is audited with the photo's digest, never the photo.
#[tauri::command]
#[specta::specta]
pub async fn check_photo(
    state: State<'_, AppState>,
    image_base64: String,
    attest_shows_me: bool,
) -> IpcResult<GateAnswer> {
    if state.active_id()?.is_none() {
        return Err(IpcError::no_profile());
    }
    let bytes = images::decode_base64(&image_base64)?;
    drop(image_base64);
    let engine = state.engine()?;
    let (bytes, image, faces) = blocking(move || {
        let image = images::decode_photo(&engine, &bytes)?;
        let faces = engine.detect(&image)?;
        Ok((bytes, image, faces))
    })
    .await?;
    let request = GateRequest {
        // An attestation only counts for a copy search: "search for copies of this photo".
        purpose: if attest_shows_me {
            Purpose::CopySearch
        } else {
            Purpose::Verify
        },
        actor: "owner",
        attest_shows_me,
    };
    let outcome =
        state.with_vault(|vault| gate::check(vault, &faces, &bytes, request, Utc::now()))?;
    Ok(GateAnswer {
        allowed: outcome.allowed,
        decision: decision_name(outcome.decision).into(),
        distance: outcome.distance,
        threshold: outcome.threshold,
        decisive: outcome.bbox.map(FaceBox::from),
        faces: faces.iter().map(|f| FaceBox::from(f.bbox)).collect(),
        width: image.width(),
        height: image.height(),
        message: outcome.message,
        audit_seq: i32::try_from(outcome.audit_seq).unwrap_or(i32::MAX),
    })
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Match => "match",
        Decision::NoMatch => "no_match",
        Decision::AttestedNoFace => "attested_no_face",
        Decision::NoFace => "no_face",
        Decision::Minor => "minor",
        Decision::NotEnrolled => "not_enrolled",
    }
}
