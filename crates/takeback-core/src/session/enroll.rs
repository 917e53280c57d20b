//! Enrolling from the window: each picked photo is checked at once (faces boxed on its
//! preview) and, when good, kept in memory with the open profile until the owner confirms the
//! batch with one consent record.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use zeroize::Zeroizing;

use super::open::StagedPhoto;
use super::{Session, SessionError};
use crate::face::enrollment::{self, Attestation, Consent};
use crate::face::photo::{self, FaceBox};
use crate::Result;

/// Most photos waiting at once (enrollment keeps at most 10; a few spare for retries).
pub const MAX_STAGED: usize = 16;

/// The answer for one picked photo.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct PhotoCheck {
    /// Set when the photo can be enrolled: pass it to [`Session::enroll_staged`].
    pub token: Option<String>,
    /// Why it cannot, in plain words (no face, several faces, too small, too blurry, a minor).
    pub problem: Option<String>,
    /// Every face found, to draw on the preview.
    pub faces: Vec<FaceBox>,
    pub width: u32,
    pub height: u32,
}

/// What enrollment did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct EnrollResult {
    pub added: u32,
    /// Reference photos the profile now has.
    pub total: u32,
}

/// A reference photo's preview (decrypted in memory) with its face box scaled to the preview.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct PhotoPreview {
    /// A `data:` URL, so the window shows it without any file or cache.
    pub data_url: String,
    pub face: Option<FaceBox>,
    pub width: u32,
    pub height: u32,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Session {
    /// Detects and checks one photo for the active profile. A good photo is kept in memory
    /// (never on disk) until [`Session::enroll_staged`] stores it or the profile locks.
    pub fn check_enrollment_photo(&self, bytes: Zeroizing<Vec<u8>>) -> Result<PhotoCheck> {
        // The photo joins the profile that was active when it was picked, even if the user
        // switches profiles while the engine runs.
        let profile_id = self.active_id()?.ok_or(SessionError::NoProfileOpen)?;
        if let Some(problem) = self.duplicate_problem(&bytes)? {
            return Ok(PhotoCheck {
                token: None,
                problem: Some(problem.into()),
                faces: Vec::new(),
                width: 0,
                height: 0,
            });
        }
        let engine = self.engine()?;
        let image = match photo::decode(&engine, &bytes) {
            Ok(image) => image,
            Err(e) => {
                return Ok(PhotoCheck {
                    token: None,
                    problem: Some(capitalise(
                        &enrollment::PhotoProblem::Unreadable {
                            reason: e.to_string(),
                        }
                        .to_string(),
                    )),
                    faces: Vec::new(),
                    width: 0,
                    height: 0,
                })
            }
        };
        let faces = engine.detect(&image)?;
        let mut check = PhotoCheck {
            token: None,
            problem: None,
            faces: faces.iter().map(|f| FaceBox::from(f.bbox)).collect(),
            width: image.width(),
            height: image.height(),
        };
        match enrollment::check_faces(&image, &faces) {
            Ok(checked) => {
                let token = hex::encode(crate::storage::vault::keys::random_array::<16>()?);
                let mut open = self.open()?;
                let p = open
                    .use_profile(&profile_id, Utc::now())
                    .ok_or(SessionError::NoProfileOpen)?;
                if p.staged.len() >= MAX_STAGED {
                    return Err(SessionError::TooManyStaged { max: MAX_STAGED }.into());
                }
                p.staged
                    .insert(token.clone(), StagedPhoto { bytes, checked });
                check.token = Some(token);
            }
            Err(problem) => check.problem = Some(capitalise(&problem.to_string())),
        }
        Ok(check)
    }

    /// Why `bytes` must not be picked again: already a reference photo, or already picked.
    fn duplicate_problem(&self, bytes: &[u8]) -> Result<Option<&'static str>> {
        if self.with_vault(|v| enrollment::is_enrolled(v.conn(), bytes))? {
            return Ok(Some(
                "This photo is already enrolled. Choose a different photo of your face.",
            ));
        }
        let digest = crate::storage::audit::digest(bytes);
        let picked = self.with_profile(|p| {
            Ok(p.staged
                .values()
                .any(|s| crate::storage::audit::digest(&s.bytes) == digest))
        })?;
        Ok(picked.then_some("This photo is already picked above."))
    }

    /// Drops a picked photo the user removed before enrolling.
    pub fn discard_staged(&self, token: &str) -> Result<()> {
        self.with_profile(|p| {
            p.staged.remove(token);
            Ok(())
        })
    }

    /// Stores the staged photos named by `tokens` with one consent record: the owner's own, or
    /// a named advocate's who checked the owner in person.
    pub fn enroll_staged(
        &self,
        tokens: &[String],
        advocate_name: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<EnrollResult> {
        let consent = Consent {
            attestation: match advocate_name {
                Some(name) => Attestation::Advocate { name },
                None => Attestation::Owner,
            },
            method: "app-file".into(),
        };
        self.with_profile(|p| {
            let picked = tokens
                .iter()
                .map(|t| p.staged.get(t).ok_or(SessionError::StagedPhotoGone))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let bytes: Vec<&[u8]> = picked.iter().map(|s| s.bytes.as_slice()).collect();
            let checked: Vec<_> = picked.iter().map(|s| s.checked.clone()).collect();
            let done = enrollment::store(&p.vault, &bytes, &checked, &consent, now, &mut |_| {})?;
            let keep: BTreeMap<_, _> = std::mem::take(&mut p.staged)
                .into_iter()
                .filter(|(t, _)| !tokens.contains(t))
                .collect();
            p.staged = keep;
            Ok(EnrollResult {
                added: u32::try_from(done.added.len()).unwrap_or(u32::MAX),
                total: u32::try_from(done.total).unwrap_or(u32::MAX),
            })
        })
    }

    /// A preview of reference photo `id`, at most `max_side` pixels across.
    pub fn reference_photo_preview(&self, id: i64, max_side: u32) -> Result<PhotoPreview> {
        let (bytes, face) = self.with_vault(|vault| {
            let face = enrollment::list(vault.conn())?
                .into_iter()
                .find(|f| f.id == id)
                .map(|f| f.bbox);
            Ok((enrollment::photo(vault, id)?, face))
        })?;
        let image = photo::decode(&*self.engine()?, &bytes)?;
        let preview = photo::preview(&image, max_side)?;
        Ok(PhotoPreview {
            data_url: photo::jpeg_data_url(&preview.jpeg),
            face: face.map(|b| FaceBox::scaled(b, preview.scale)),
            width: preview.width,
            height: preview.height,
        })
    }
}
