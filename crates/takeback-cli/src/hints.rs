//! The CLI's own next step for a core error: the core's messages are neutral (the window shows
//! them too, with its own buttons), so the command to type is added here.

use takeback_core::base::files::FileError;
use takeback_core::face::gate::{Decision, GateRefusal};
use takeback_core::search::crawl::CrawlError;
use takeback_core::search::error::SearchError;
use takeback_core::search::providers::accounts::AccountError;
use takeback_core::search::providers::ProviderError;
use takeback_core::Error;

/// What to type next, if there is something to add to the error's own message.
pub fn for_error(e: &Error) -> Option<String> {
    let hint = match e {
        Error::UnknownSetting { .. } => "run `takeback config get` to list the settings".into(),
        Error::NoDataDir => "set TAKEBACK_DATA_DIR or pass --data-dir".into(),
        Error::ProfileNotFound { name } => format!(
            "create it with `takeback profile create {name}` or list them with `takeback profile list`"
        ),
        Error::KeyringUnavailable { .. } => {
            "create the profile with `--passphrase` to protect it with a passphrase".into()
        }
        Error::PassphraseRequired => {
            "set TAKEBACK_PASSPHRASE or run the command in a terminal to be asked for it".into()
        }
        Error::AdvocateNameMissing => "pass `--attested-by NAME`".into(),
        Error::FaceEngine { .. } => "run `takeback doctor`".into(),
        Error::IdentityMissing => "run `takeback identity set --name NAME --email EMAIL`".into(),
        Error::CaseNotFound { .. } => "run `takeback case list` to see them".into(),
        Error::LocalNetworkRefused { .. } => "pass --allow-local-network to allow it".into(),
        Error::Layer(_) => return layer_hint(e),
        _ => return None,
    };
    Some(hint)
}

fn layer_hint(e: &Error) -> Option<String> {
    if let Some(takeback_core::session::SessionError::WeakeningNeedsProfile { .. }) =
        e.downcast_ref::<takeback_core::session::SessionError>()
    {
        return Some(
            "create a profile first (`takeback profile create NAME`), or name yours with --profile; its passphrase is asked".into(),
        );
    }
    if let Some(s) = e.downcast_ref::<SearchError>() {
        return match s {
            SearchError::SourceNotFound { .. } => Some("run `takeback source list` to see them".into()),
            SearchError::FindingNotFound { .. } => Some("run `takeback findings` to list them".into()),
            SearchError::NothingToScan => Some("add one with `takeback source add-site URL` or `takeback source add-folder DIR`, or pass --provider NAME --image PHOTO".into()),
            SearchError::LimitOutOfRange { what, .. } => flag_for(what).map(|f| format!("see {f}")),
            _ => None,
        };
    }
    if let Some(a) = e.downcast_ref::<AccountError>() {
        return Some(match a {
            AccountError::KeyMissing { provider } => {
                format!("store one with `takeback provider key {provider}`")
            }
            AccountError::Disabled { provider } => {
                format!("run `takeback provider set {provider} --enable`")
            }
        });
    }
    if let Some(ProviderError::BadKey { provider, .. } | ProviderError::MissingKey { provider }) =
        e.downcast_ref::<ProviderError>()
    {
        return Some(format!(
            "store the key with `takeback provider key {provider}`"
        ));
    }
    if let Some(CrawlError::LocalNetworkRefused { .. }) = e.downcast_ref::<CrawlError>() {
        return Some("pass --allow-local-network to allow it".into());
    }
    if let Some(g) = e.downcast_ref::<GateRefusal>() {
        return for_gate(g.decision).map(str::to_owned);
    }
    if let Some(FileError::Exists { .. }) = e.downcast_ref::<FileError>() {
        return Some("pass --force to replace it".into());
    }
    None
}

/// What to type after the own-face gate said no.
pub fn for_gate(decision: Decision) -> Option<&'static str> {
    match decision {
        Decision::NotEnrolled => Some("run `takeback enroll PHOTO...`"),
        Decision::NoFace => Some("if the photo shows you, pass --attest-shows-me"),
        _ => None,
    }
}

/// The CLI flag behind a limit the core names in words.
fn flag_for(what: &str) -> Option<&'static str> {
    match what {
        "how many links deep to follow" => Some("--depth"),
        "the most pages to visit" => Some("--max-pages"),
        "the pause between requests (ms)" => Some("--interval-ms"),
        _ => None,
    }
}
