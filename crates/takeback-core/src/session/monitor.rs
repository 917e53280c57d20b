//! Monitoring from the window: run a cycle now, what runs next, the events inbox, a finding's
//! history. The same core functions the CLI and the timer call.

use chrono::Utc;

use super::{RunningScan, Session};
use crate::base::cancel::CancelFlag;
use crate::base::clock::SystemClock;
use crate::monitor::events::{self, Event, Which};
use crate::monitor::history::{self, HistoryEntry};
use crate::monitor::{self, CycleReport, MonitorContext, MonitorStatus, RunOptions};
use crate::Result;

impl Session {
    /// Runs one monitoring cycle for the active profile now (`force`: everything, due or not).
    /// Blocks: call it on a worker thread. Another runner (a timer) holding the profile's lock
    /// makes it return at once with `ran: false`.
    pub fn run_monitor(&self, force: bool) -> Result<CycleReport> {
        let vault = self.vault_handle()?;
        self.run_monitor_on(vault, force)
    }

    fn run_monitor_on(
        &self,
        vault: crate::storage::vault::Vault,
        force: bool,
    ) -> Result<CycleReport> {
        let profile_id = vault.info().id.clone();
        let engine = self.engine()?;
        let keys = self.keys()?;
        let settings = self.settings()?.clone();
        let ctx = MonitorContext {
            vault: &vault,
            engine: &engine,
            keys: keys.as_ref(),
            settings: &settings,
            clock: &SystemClock,
        };
        let options = RunOptions {
            force,
            allow_local_network: self.network.allow_local_network,
        };
        // Locking the profile (or quick exit) cancels the cycle; the next run finishes it.
        // A second call while one runs finds the profile's runner lock taken and returns at
        // once, so only the first registers its cancel flag.
        let cancel = CancelFlag::new();
        let registered = {
            let mut slot = self
                .monitor
                .lock()
                .map_err(|_| super::unavailable("the running monitor"))?;
            let free = slot.is_none();
            if free {
                *slot = Some(RunningScan {
                    profile_id,
                    cancel: cancel.clone(),
                });
            }
            free
        };
        let report = monitor::run_once(&ctx, options, &cancel, &mut |_| {});
        if registered {
            if let Ok(mut slot) = self.monitor.lock() {
                *slot = None;
            }
        }
        report
    }

    /// The window's own monitoring: runs a cycle for the active profile when something is due,
    /// the `monitor.in_window` setting allows it and no other runner is at work. `None` when
    /// nothing ran. Blocks while it runs: call it on a worker thread.
    pub fn run_monitor_if_due(&self, now: chrono::DateTime<Utc>) -> Result<Option<CycleReport>> {
        if !self.settings()?.monitor_in_window || self.active_id()?.is_none() {
            return Ok(None);
        }
        // Background work: it does not count as use, so auto-lock still locks an idle profile.
        let vault = self.vault_handle_untouched()?;
        let status = monitor::status(&vault, now)?;
        let due = status.next_due.is_some_and(|t| t <= now);
        if !due || status.running {
            return Ok(None);
        }
        self.run_monitor_on(vault, false).map(Some)
    }

    /// The desktop notification for a cycle the window ran, by the same rule as the timer's
    /// (`monitor::notify`: neutral unless the owner allowed detail, none in quiet hours);
    /// `local_hour` is the hour on this computer's clock, 0-23.
    pub fn notification_for(
        &self,
        report: &CycleReport,
        local_hour: u32,
    ) -> Result<Option<monitor::notify::Notification>> {
        Ok(monitor::notify::for_events(
            &report.events,
            &*self.settings()?,
            local_hour,
        ))
    }

    /// What runs next and when, for the active profile.
    pub fn monitor_status(&self) -> Result<MonitorStatus> {
        self.with_vault(|v| monitor::status(v, Utc::now()))
    }

    /// The events inbox, newest first.
    pub fn events(&self, unread_only: bool) -> Result<Vec<Event>> {
        self.with_vault(|v| events::list(v.conn(), unread_only))
    }

    /// Marks one event (`Some(id)`) or all of them read; returns how many changed.
    pub fn mark_events_read(&self, id: Option<i64>) -> Result<u32> {
        let which = id.map_or(Which::All, Which::One);
        self.with_vault(|v| events::mark_read(v.conn(), which))
    }

    /// Finding `id`'s history, oldest first.
    pub fn finding_history(&self, id: i64) -> Result<Vec<HistoryEntry>> {
        self.with_vault(|v| history::of_finding(v.conn(), id))
    }
}
