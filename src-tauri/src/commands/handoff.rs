//! Leaving the app with something in hand: evidence for police or a lawyer (WACZ and PDF
//! report, with a preview), and the encrypted bundle a clinic gives its client, and its import.

use std::path::PathBuf;

use chrono::Utc;
use takeback_core::handoff::bundle::{self, ClientHandoff, ImportSummary};
use takeback_core::removal::evidence::{
    self, EvidencePaths, ExportRequest, ExportSummary, Pictures, Selection,
};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

/// The chosen findings, or every confirmed one when `None`.
fn selection(ids: Option<Vec<i32>>) -> Selection {
    ids.map_or(Selection::AllConfirmed, |ids| {
        Selection::Findings(ids.into_iter().map(super::id).collect())
    })
}

/// Where the package and report are suggested to go.
#[tauri::command]
#[specta::specta]
pub fn suggest_evidence_paths() -> EvidencePaths {
    evidence::suggested_paths(Utc::now())
}

/// The report's text as it would be written, for the preview; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn preview_evidence_report(
    state: State<'_, AppState>,
    finding_ids: Option<Vec<i32>>,
    pictures: Pictures,
) -> IpcResult<Vec<String>> {
    let selection = selection(finding_ids);
    blocking(&state.session, move |s| {
        evidence::preview(&s.vault_handle()?, &selection, pictures, Utc::now())
    })
    .await
}

/// Writes the evidence package and/or report (never replacing a file), audited.
#[tauri::command]
#[specta::specta]
pub async fn export_evidence(
    state: State<'_, AppState>,
    finding_ids: Option<Vec<i32>>,
    wacz: Option<String>,
    report: Option<String>,
    pictures: Pictures,
) -> IpcResult<ExportSummary> {
    let request = ExportRequest {
        selection: selection(finding_ids),
        wacz: wacz.map(PathBuf::from),
        report: report.map(PathBuf::from),
        unredacted: pictures == Pictures::Full,
        hashes_only: pictures == Pictures::None,
        overwrite: false,
    };
    blocking(&state.session, move |s| {
        evidence::export(&s.vault_handle()?, &request, Utc::now())
    })
    .await
}

/// Where a hand-off bundle is suggested to go.
#[tauri::command]
#[specta::specta]
pub fn suggest_bundle_path() -> String {
    bundle::suggested_path(Utc::now())
}

/// "Give this case to the client": the bundle, locked with a new passphrase shown once.
#[tauri::command]
#[specta::specta]
pub async fn give_case_to_client(
    state: State<'_, AppState>,
    path: String,
    case_ids: Vec<i32>,
    include_face: bool,
) -> IpcResult<ClientHandoff> {
    let cases = case_ids.into_iter().map(super::id).collect();
    blocking(&state.session, move |s| {
        bundle::give_to_client(
            &s.vault_handle()?,
            PathBuf::from(path),
            cases,
            include_face,
            Utc::now(),
        )
    })
    .await
}

/// "Import a case" into the open profile; a damaged or altered bundle changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn import_case(
    state: State<'_, AppState>,
    path: String,
    passphrase: String,
) -> IpcResult<ImportSummary> {
    blocking(&state.session, move |s| {
        bundle::import_into(
            &s.vault_handle()?,
            &PathBuf::from(path),
            passphrase,
            Utc::now(),
        )
    })
    .await
}
