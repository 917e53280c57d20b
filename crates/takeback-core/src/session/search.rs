//! Searching from the window: the owner's photos to search with, the preview of exactly what a
//! provider would receive and the consent to send it, scans in the background (one at a time,
//! stopped when their profile locks), and reviewing findings.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{RunningScan, Session, SessionError};
use crate::base::cancel::CancelFlag;
use crate::base::clock::SystemClock;
use crate::search::findings::{self, Finding, RecheckResult};
use crate::search::providers::accounts::{self, ProviderStatus};
use crate::search::providers::ProviderId;
use crate::search::scan::{
    self, jobs, Job, ProviderPreview, RegisteredPhoto, ScanContext, ScanPlan, ScanProgress,
    ScanSummary,
};
use crate::{ErrorCode, Result};

/// Recent scans, newest first, and the one a crash or cancel left unfinished (to resume).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ScanHistory {
    pub jobs: Vec<Job>,
    pub resumable: Option<Job>,
    /// A scan of this profile is running now.
    pub running: bool,
}

/// What a new scan covers: the chosen sources (none and no providers: every source), then the
/// providers the owner approved in this session, with registered photo `photo_id`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Deserialize)]
pub struct ScanRequest {
    #[cfg_attr(feature = "specta", specta(type = Vec<i32>))]
    pub sources: Vec<i64>,
    pub providers: Vec<ProviderId>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub photo_id: Option<i64>,
}

/// What a background scan is asked to do.
#[derive(Debug, Clone)]
pub enum ScanWork {
    Start(ScanRequest),
    /// Continue scan `job_id` where it stopped; nothing is repeated.
    Resume {
        job_id: i64,
    },
}

impl Session {
    /// Keeps one of the owner's photos to search with, after the own-face gate
    /// (`attest_shows_me` for a photo with no detectable face).
    pub fn register_photo(
        &self,
        bytes: &[u8],
        attest_shows_me: bool,
        now: DateTime<Utc>,
    ) -> Result<RegisteredPhoto> {
        // A second vault handle: the face engine's work must not hold the session.
        let vault = self.vault_handle()?;
        scan::register(&vault, &*self.engine()?, bytes, attest_shows_me, now)
    }

    /// Exactly what `provider` would receive for registered photo `photo_id`, prepared here.
    pub fn provider_preview(
        &self,
        photo_id: i64,
        provider: ProviderId,
        now: DateTime<Utc>,
    ) -> Result<ProviderPreview> {
        let settings = self.settings()?.clone();
        scan::preview(
            &self.vault_handle()?,
            &*self.engine()?,
            &settings,
            photo_id,
            provider,
            now,
        )
    }

    /// The owner approves sending what the preview showed (audited). The consent is kept with
    /// the profile until it locks.
    pub fn consent_to_provider(
        &self,
        photo_id: i64,
        provider: ProviderId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let profile_id = self.active_id()?.ok_or(SessionError::NoProfileOpen)?;
        let vault = self.vault_handle()?;
        // Prepared again (deterministically) so the consent is for the exact bytes shown.
        let settings = self.settings()?.clone();
        let preview = scan::preview(&vault, &*self.engine()?, &settings, photo_id, provider, now)?;
        let consent = scan::record_consent(&vault, &preview, "owner", now)?;
        self.open()?
            .use_profile(&profile_id, now)
            .ok_or(SessionError::NoProfileOpen)?
            .keep_consent(consent);
        Ok(())
    }

    /// Providers the owner approved in this session.
    pub fn consented_providers(&self) -> Result<Vec<ProviderId>> {
        self.with_profile(|p| Ok(p.consents.iter().map(|c| c.provider).collect()))
    }

    /// The profile's recent scans and whether one of its scans runs now.
    pub fn scan_history(&self) -> Result<ScanHistory> {
        let running_here = {
            let slot = self
                .scan
                .lock()
                .map_err(|_| super::unavailable("the running scan"))?;
            slot.as_ref().map(|s| s.profile_id.clone())
        };
        let running = running_here.is_some() && running_here == self.active_id()?;
        self.with_vault(|vault| {
            Ok(ScanHistory {
                jobs: jobs::list(vault.conn(), 20)?,
                resumable: if running {
                    None
                } else {
                    jobs::resumable(vault.conn())?
                },
                running,
            })
        })
    }

    /// Starts `work` on a thread of its own for the active profile. `progress` hears every
    /// step; `ended` hears the result once the scan's vault handle is closed.
    pub fn start_scan(
        self: &Arc<Self>,
        work: ScanWork,
        mut progress: impl FnMut(ScanProgress) + Send + 'static,
        ended: impl FnOnce(Result<ScanSummary>) + Send + 'static,
    ) -> Result<()> {
        let (profile_id, consents) =
            self.with_profile(|p| Ok((p.vault.info().id.clone(), p.consents.clone())))?;
        let vault = self.vault_handle()?;
        let engine = self.engine()?;
        let keys = self.keys()?;
        let settings = self.settings()?.clone();
        let allow_local_network = self.network.allow_local_network;
        let cancel = CancelFlag::new();
        {
            let mut slot = self
                .scan
                .lock()
                .map_err(|_| super::unavailable("the running scan"))?;
            if slot.is_some() {
                return Err(SessionError::ScanRunning.into());
            }
            *slot = Some(RunningScan {
                profile_id,
                cancel: cancel.clone(),
            });
        }
        let slot = Arc::clone(&self.scan);
        let spawned = std::thread::Builder::new()
            .name("scan".into())
            .spawn(move || {
                let ctx = ScanContext {
                    vault: &vault,
                    engine: &engine,
                    keys: keys.as_ref(),
                    settings: &settings,
                    clock: &SystemClock,
                };
                let result = match work {
                    ScanWork::Start(request) => {
                        let plan = ScanPlan {
                            sources: request.sources,
                            providers: request.providers,
                            photo_id: request.photo_id,
                            consents,
                            allow_local_network,
                        };
                        scan::run(&ctx, &plan, &cancel, &mut progress)
                    }
                    ScanWork::Resume { job_id } => {
                        let now = scan::ScanPermissions {
                            consents,
                            allow_local_network,
                        };
                        scan::resume(&ctx, job_id, now, &cancel, &mut progress)
                    }
                };
                // The scan's handle on the vault closes before anyone hears the end.
                drop(vault);
                if let Ok(mut slot) = slot.lock() {
                    *slot = None;
                }
                ended(result);
            });
        if let Err(e) = spawned {
            if let Ok(mut slot) = self.scan.lock() {
                *slot = None;
            }
            return Err(crate::Error::Io {
                action: "starting the scan",
                path: String::new(),
                source: e,
            });
        }
        Ok(())
    }

    /// Asks the running scan to stop within one image or one request (it can be resumed).
    /// True when one was running.
    pub fn cancel_scan(&self) -> Result<bool> {
        let slot = self
            .scan
            .lock()
            .map_err(|_| super::unavailable("the running scan"))?;
        Ok(slot.as_ref().map(|s| s.cancel.cancel()).is_some())
    }

    /// "This is me": confirms finding `id` and keeps the image and its page as evidence.
    pub fn confirm_finding(&self, id: i64, now: DateTime<Utc>) -> Result<Finding> {
        let vault = self.vault_handle()?;
        Ok(findings::confirm_with_evidence(&vault, id, &self.fetch_options()?, now)?.finding)
    }

    /// Fetches the confirmed findings again: still up, removed or unreachable.
    pub fn recheck_findings(&self) -> Result<Vec<RecheckResult>> {
        let vault = self.vault_handle()?;
        findings::recheck::run(
            &vault,
            &self.fetch_options()?,
            &SystemClock,
            &CancelFlag::new(),
            &mut |_| {},
        )
    }

    /// Every remote search service with its state; balances only while a profile is open.
    pub fn provider_statuses(&self) -> Result<Vec<ProviderStatus>> {
        let keys = self.keys()?;
        let settings = self.settings()?.clone();
        match self.with_vault(|v| accounts::statuses(&settings, keys.as_ref(), Some(v.conn()))) {
            Err(e) if e.code() == ErrorCode::Locked => {
                accounts::statuses(&settings, keys.as_ref(), None)
            }
            other => other,
        }
    }

    /// Turns a provider on or off and sets its address; saved at once.
    pub fn configure_provider(
        &self,
        provider: ProviderId,
        base_url: Option<&str>,
        enabled: Option<bool>,
    ) -> Result<()> {
        self.change_settings(|settings| accounts::configure(settings, provider, base_url, enabled))
    }
}
