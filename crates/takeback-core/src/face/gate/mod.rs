//! The own-face gate: the one check every search path goes through.
//!
//! A search may run only on the profile owner's face. [`check_image`] (or [`check`], when the
//! caller already ran the face engine) decides, writes the decision to the audit log, and returns
//! a [`GateOutcome`]. Only an allowed outcome yields a [`GatePass`], and search code should take a
//! `&GatePass` as its proof that the gate ran (`outcome.into_pass()?`).
//!
//! The rules (PRODUCT.md §2.1, §2.5, §3.1):
//! - no reference face enrolled: refused;
//! - any face estimated under 18, or whose age estimate is unusable (unknown, not finite, out of
//!   range; see [`possibly_minor`]): refused, with the Take It Down guidance;
//! - every face in the photo is compared, so a group photo that includes the owner is
//!   recognised: the decisive face is the one nearest the owner's, and it must be within
//!   [`takeback_faces::GATE_THRESHOLD`] of a reference face. A face search sends a crop of that
//!   face, never of someone else's;
//! - a copy query ([`Purpose::CopySearch`]): a photo with no detectable face passes only when
//!   the owner attests that it shows them, and that attestation is what the audit entry records.

use chrono::{DateTime, Utc};
use serde::Serialize;
use takeback_faces::{distance, BBox, Descriptor, Face, FaceEngine, GATE_THRESHOLD};

use crate::face::enrollment::{self, quality::possibly_minor};
use crate::face::photo::{self, FaceBox};
use crate::storage::vault::Vault;
use crate::{storage::audit, Result};

/// Guidance shown whenever a minor's face is involved.
pub const TAKE_IT_DOWN: &str = "Takeback never searches for a face that looks under 18. If this is an image of a minor, NCMEC's Take It Down (https://takeitdown.ncmec.org) can help remove it without anyone viewing it: it works from a hash made on your own device.";

/// Why the gate is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// `takeback verify`, the app's "check a photo" panel.
    Verify,
    /// A query to a face finder (a face crop will be sent).
    FaceSearch,
    /// A query to a copy finder or a local match on the whole photo.
    CopySearch,
}

/// The caller's request.
#[derive(Debug, Clone, Copy)]
pub struct GateRequest<'a> {
    pub purpose: Purpose,
    /// Who asks (`owner`, `advocate`).
    pub actor: &'a str,
    /// The owner attests the photo shows them; only counts for [`Purpose::CopySearch`] when no
    /// face is detected.
    pub attest_shows_me: bool,
}

/// What the gate decided.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The face is the owner's.
    Match,
    /// No face is close enough to the owner's.
    NoMatch,
    /// No face detected; allowed because the owner attested the photo shows them.
    AttestedNoFace,
    /// No face detected and no attestation (or not a copy search).
    NoFace,
    /// A face looks under 18.
    Minor,
    /// The profile has no reference face yet.
    NotEnrolled,
}

/// What the gate tells the user, as a stable code with its parameters: the window says it in its
/// own language; the `message` beside it is the same in English (the CLI prints it).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum GateText {
    NotEnrolled,
    /// A face looks under 18: where help is ([`TAKE_IT_DOWN`]).
    Minor,
    AttestedNoFace,
    /// No face, for a copy search: the owner may confirm the photo shows them.
    NoFaceCanAttest,
    /// No face, so nothing to compare.
    NoFace,
    /// The owner's face, alone (`faces` is 1) or among `faces` faces.
    Match {
        faces: u32,
    },
    /// Not the owner's face; `faces` faces were compared.
    NoMatch {
        faces: u32,
    },
}

/// The gate's answer, as shown to the user and printed by `takeback verify --json`.
#[derive(Debug, Clone, Serialize)]
pub struct GateOutcome {
    pub allowed: bool,
    pub decision: Decision,
    /// Distance of the decisive face to the nearest reference face (lower is more alike).
    pub distance: Option<f32>,
    pub threshold: f32,
    /// The decisive face's box, in the photo's pixels.
    #[serde(rename = "box")]
    pub bbox: Option<BBox>,
    pub faces: usize,
    /// For each face, in detection order: whether it is the owner's (within the threshold).
    pub owner_faces: Vec<bool>,
    /// What to tell the user.
    pub message: String,
    /// `message`, as a code.
    pub says: GateText,
    /// The audit entry that recorded this decision.
    pub audit_seq: i64,
    #[serde(skip)]
    face: Option<Face>,
}

/// The gate said no to a search, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct GateRefusal {
    pub decision: Decision,
    /// What to tell the user.
    pub message: String,
}

impl GateRefusal {
    pub fn code(&self) -> crate::ErrorCode {
        crate::ErrorCode::Refused
    }
}

crate::layer_error!(GateRefusal);

/// Proof that the gate allowed a search. Only the gate makes one.
#[derive(Debug, Clone)]
pub struct GatePass {
    /// The matching face, or `None` for an attested photo without a detectable face.
    pub face: Option<Face>,
    pub audit_seq: i64,
}

impl GateOutcome {
    /// The pass, or [`Error::GateRefused`] with the user-facing message.
    pub fn into_pass(self) -> Result<GatePass> {
        if self.allowed {
            Ok(GatePass {
                face: self.face,
                audit_seq: self.audit_seq,
            })
        } else {
            Err(GateRefusal {
                decision: self.decision,
                message: self.message,
            }
            .into())
        }
    }
}

/// A photo the gate looked at: its size, every face found, and the decision.
#[derive(Debug, Clone)]
pub struct CheckedImage {
    pub width: u32,
    pub height: u32,
    pub faces: Vec<Face>,
    pub outcome: GateOutcome,
}

/// What the window shows after "Check a photo": the decision, the photo's size and every face,
/// boxed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct GateAnswer {
    pub allowed: bool,
    pub decision: Decision,
    pub distance: Option<f32>,
    pub threshold: f32,
    /// The face the decision is about.
    pub decisive: Option<FaceBox>,
    /// Every face found.
    pub faces: Vec<FaceBox>,
    /// For each of `faces`: whether it is the owner's face.
    pub owner_faces: Vec<bool>,
    pub width: u32,
    pub height: u32,
    /// What to tell the user, in plain English words.
    pub message: String,
    /// `message`, as a code the window says in its own language.
    pub says: GateText,
    /// The audit entry that recorded this decision.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub audit_seq: i64,
}

impl CheckedImage {
    pub fn answer(&self) -> GateAnswer {
        let o = &self.outcome;
        GateAnswer {
            allowed: o.allowed,
            decision: o.decision,
            distance: o.distance,
            threshold: o.threshold,
            decisive: o.bbox.map(FaceBox::from),
            faces: self.faces.iter().map(|f| FaceBox::from(f.bbox)).collect(),
            owner_faces: o.owner_faces.clone(),
            width: self.width,
            height: self.height,
            message: o.message.clone(),
            says: o.says,
            audit_seq: o.audit_seq,
        }
    }
}

/// Decodes `bytes` within the engine's bounds, detects every face, then [`check`]s them.
pub fn check_image(
    vault: &Vault,
    engine: &FaceEngine,
    bytes: &[u8],
    request: GateRequest<'_>,
    now: DateTime<Utc>,
) -> Result<CheckedImage> {
    let image = photo::decode(engine, bytes)?;
    let faces = engine.detect(&image)?;
    let outcome = check(vault, &faces, bytes, request, now)?;
    Ok(CheckedImage {
        width: image.width(),
        height: image.height(),
        faces,
        outcome,
    })
}

/// Decides on faces already detected in `image_bytes`, and audits the decision (the entry holds
/// the image's SHA-256, never the image).
pub fn check(
    vault: &Vault,
    faces: &[Face],
    image_bytes: &[u8],
    request: GateRequest<'_>,
    now: DateTime<Utc>,
) -> Result<GateOutcome> {
    let references = enrollment::descriptors(vault.conn())?;
    let mut outcome = decide(&references, faces, request);
    let entry = audit::append(
        vault.conn(),
        audit::NewEntry::new(request.actor, "gate.decision")
            .subject(image_bytes)
            .detail(serde_json::json!({
                "purpose": request.purpose,
                "decision": outcome.decision,
                "allowed": outcome.allowed,
                "distance": outcome.distance,
                "threshold": outcome.threshold,
                "faces": outcome.faces,
                "attested_shows_me": request.attest_shows_me,
            })),
        now,
    )?;
    outcome.audit_seq = entry.seq;
    Ok(outcome)
}

/// The rules, without side effects.
pub fn decide(references: &[Descriptor], faces: &[Face], request: GateRequest<'_>) -> GateOutcome {
    let mut out = GateOutcome {
        allowed: false,
        decision: Decision::NoMatch,
        distance: None,
        threshold: GATE_THRESHOLD,
        bbox: None,
        faces: faces.len(),
        owner_faces: vec![false; faces.len()],
        message: String::new(),
        says: GateText::NoMatch {
            faces: faces.len() as u32,
        },
        audit_seq: 0,
        face: None,
    };
    if references.is_empty() {
        out.decision = Decision::NotEnrolled;
        out.says = GateText::NotEnrolled;
        out.message = "this profile has no reference photo yet; enroll your face first".into();
        return out;
    }
    if let Some(young) = faces.iter().find(|f| possibly_minor(f.age)) {
        out.decision = Decision::Minor;
        out.bbox = Some(young.bbox);
        out.message = TAKE_IT_DOWN.into();
        out.says = GateText::Minor;
        return out;
    }
    if faces.is_empty() {
        if request.purpose == Purpose::CopySearch && request.attest_shows_me {
            out.allowed = true;
            out.decision = Decision::AttestedNoFace;
            out.says = GateText::AttestedNoFace;
            out.message = "no face detected; allowed because you attested that the photo shows you (recorded in the audit log)".into();
        } else {
            out.decision = Decision::NoFace;
            (out.says, out.message) = if request.purpose == Purpose::CopySearch {
                (GateText::NoFaceCanAttest, "no face was detected in this photo; if it shows you, confirm that it does and the search can run".into())
            } else {
                (
                    GateText::NoFace,
                    "no face was detected in this photo, so it cannot be compared with your face"
                        .into(),
                )
            };
        }
        return out;
    }
    let nearest = |f: &Face| {
        references
            .iter()
            .map(|r| distance(&f.descriptor, r))
            .fold(f32::INFINITY, f32::min)
    };
    let distances: Vec<f32> = faces.iter().map(nearest).collect();
    out.owner_faces = distances.iter().map(|d| *d <= GATE_THRESHOLD).collect();
    // Every face is judged: the owner may be anywhere in a group photo, not only the largest.
    let decisive = (0..faces.len()).min_by(|a, b| distances[*a].total_cmp(&distances[*b]));
    let Some(face) = decisive.map(|i| &faces[i]) else {
        return out;
    };
    let others = faces.len() - 1;
    let d = nearest(face);
    out.distance = Some(d);
    out.bbox = Some(face.bbox);
    if d <= GATE_THRESHOLD {
        out.allowed = true;
        out.decision = Decision::Match;
        out.face = Some(face.clone());
        out.says = GateText::Match {
            faces: faces.len() as u32,
        };
        out.message = if others == 0 {
            format!("this is your face (distance {d:.3}, threshold {GATE_THRESHOLD:.2})")
        } else {
            format!("your face is one of the {} faces in this photo, outlined (distance {d:.3}, threshold {GATE_THRESHOLD:.2})", faces.len())
        };
    } else {
        out.message = if others == 0 {
            format!("this face does not match your enrolled face (distance {d:.3}, threshold {GATE_THRESHOLD:.2}); Takeback only searches for your own face")
        } else {
            format!("none of the {} faces in this photo matches your enrolled face (nearest distance {d:.3}, threshold {GATE_THRESHOLD:.2}); Takeback only searches for your own face", faces.len())
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(v: f32) -> Descriptor {
        let mut d = vec![0.0; 128];
        d[0] = v;
        Descriptor(d)
    }

    fn face(v: f32, size: f32, age: f32) -> Face {
        Face {
            bbox: BBox {
                x: 0.0,
                y: 0.0,
                width: size,
                height: size,
            },
            score: 0.9,
            landmarks: vec![],
            descriptor: desc(v),
            age,
        }
    }

    fn req(purpose: Purpose, attest: bool) -> GateRequest<'static> {
        GateRequest {
            purpose,
            actor: "owner",
            attest_shows_me: attest,
        }
    }

    fn check_rule(
        refs: &[f32],
        faces: &[Face],
        purpose: Purpose,
        attest: bool,
        expected: Decision,
    ) {
        let refs: Vec<_> = refs.iter().map(|v| desc(*v)).collect();
        let out = decide(&refs, faces, req(purpose, attest));
        assert_eq!(out.decision, expected, "{out:?}");
        let allowed = matches!(expected, Decision::Match | Decision::AttestedNoFace);
        assert_eq!(out.allowed, allowed);
        assert_eq!(out.into_pass().is_ok(), allowed);
    }

    #[test]
    #[allow(clippy::cloned_ref_to_slice_refs)] // the table reads better with clones
    fn rules() {
        use Decision::*;
        use Purpose::*;
        let me = face(0.1, 100.0, 30.0);
        let other = face(0.9, 100.0, 30.0);
        check_rule(&[], &[me.clone()], Verify, false, NotEnrolled);
        check_rule(&[0.0], &[me.clone()], Verify, false, Match);
        check_rule(&[0.0, 5.0], &[other.clone()], Verify, false, NoMatch);
        check_rule(&[5.0, 0.8], &[other.clone()], Verify, false, Match);
        check_rule(&[0.0], &[], Verify, true, NoFace);
        check_rule(&[0.0], &[], FaceSearch, true, NoFace);
        check_rule(&[0.0], &[], CopySearch, false, NoFace);
        check_rule(&[0.0], &[], CopySearch, true, AttestedNoFace);
        check_rule(&[0.0], &[face(0.0, 100.0, 12.0)], Verify, false, Minor);
        // A minor anywhere in the photo stops the search, even next to the owner.
        check_rule(
            &[0.0],
            &[me.clone(), face(0.9, 50.0, 9.0)],
            CopySearch,
            false,
            Minor,
        );
        // Every face is judged: the owner is recognised in a group photo even when someone
        // else's face is larger, whatever the purpose; the face search gets the owner's face.
        let small_me = face(0.1, 40.0, 30.0);
        let big_other = face(0.9, 200.0, 30.0);
        for purpose in [Verify, FaceSearch, CopySearch] {
            check_rule(
                &[0.0],
                &[big_other.clone(), small_me.clone()],
                purpose,
                false,
                Match,
            );
        }
        let group = decide(
            &[desc(0.0)],
            &[big_other.clone(), small_me.clone()],
            req(FaceSearch, false),
        );
        assert_eq!(group.owner_faces, vec![false, true]);
        assert_eq!(group.says, GateText::Match { faces: 2 });
        assert!(group.message.starts_with("your face is one of the 2 faces"));
        assert_eq!(group.bbox.map(|b| b.width), Some(40.0));
        assert_eq!(group.into_pass().unwrap().face.unwrap().bbox.width, 40.0);
        check_rule(
            &[0.0],
            &[big_other.clone(), big_other],
            Verify,
            false,
            NoMatch,
        );
        // Attestation never overrides a face that is someone else's.
        check_rule(&[0.0], &[other], CopySearch, true, NoMatch);
    }

    #[test]
    fn unknown_ages_fail_closed() {
        // The engine reports 0 when it cannot estimate; NaN, negatives and absurd values say
        // nothing either. Each must stop the search with the Take It Down guidance, even next to
        // the owner's own face.
        let me = face(0.1, 100.0, 30.0);
        for age in [0.0, -1.0, f32::NAN, f32::INFINITY, 500.0] {
            for purpose in [Purpose::Verify, Purpose::FaceSearch, Purpose::CopySearch] {
                let out = decide(
                    &[desc(0.0)],
                    &[me.clone(), face(0.1, 50.0, age)],
                    req(purpose, false),
                );
                assert_eq!(out.decision, Decision::Minor, "age {age}: {out:?}");
                assert!(!out.allowed);
                assert_eq!(out.message, TAKE_IT_DOWN);
                assert_eq!(out.says, GateText::Minor);
            }
        }
    }

    #[test]
    fn threshold_is_inclusive() {
        let refs = [desc(0.0)];
        let out = decide(
            &refs,
            &[face(GATE_THRESHOLD, 100.0, 40.0)],
            req(Purpose::Verify, false),
        );
        assert!(out.allowed);
        assert_eq!(out.threshold, GATE_THRESHOLD);
    }
}
