//! Everything the report says about one finding, read from the vault.

use chrono::{DateTime, Utc};

use crate::removal::cases::store::{self as cases, CaseEvent, CaseView};
use crate::search::findings::{self, recheck, EvidenceRecord, Finding, RecheckEntry};
use crate::storage::vault::Vault;
use crate::Result;

/// One finding with its captures, re-checks and the cases (letters) that name it.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub finding: Finding,
    pub captures: Vec<EvidenceRecord>,
    pub rechecks: Vec<RecheckEntry>,
    pub removed_at: Option<DateTime<Utc>>,
    pub cases: Vec<(CaseView, Vec<CaseEvent>)>,
}

impl Dossier {
    pub fn gather(vault: &Vault, id: i64, now: DateTime<Utc>) -> Result<Self> {
        let conn = vault.conn();
        let finding = findings::get(conn, id)?;
        let captures = findings::evidence(conn, id)?;
        let rechecks = recheck::history(conn, id)?;
        let removed_at = recheck::removed_at(conn, id)?;
        let key = id.to_string();
        let mut named = Vec::new();
        for case in cases::list(conn, now)? {
            if case.findings.iter().any(|f| f.id.as_deref() == Some(&key)) {
                let events = cases::events(conn, case.id)?;
                named.push((case, events));
            }
        }
        Ok(Self {
            finding,
            captures,
            rechecks,
            removed_at,
            cases: named,
        })
    }
}
