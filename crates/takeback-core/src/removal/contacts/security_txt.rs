//! security.txt (RFC 9116): the operator's published contacts, honoured only until `Expires`.
//!
//! Parsed leniently (a file missing optional fields is still useful) but strictly on `Expires`:
//! an expired file is ignored, as RFC 9116 §2.5.5 requires. security.txt is for vulnerability
//! reports; contacts from it are a last-resort way to reach a person at the operator.

use chrono::{DateTime, Utc};

/// What a security.txt file says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityTxt {
    /// `Contact:` values in order: `mailto:` (returned without the scheme), `https:` or `tel:`.
    pub contacts: Vec<String>,
    pub expires: Option<DateTime<Utc>>,
    pub policy: Option<String>,
}

/// Whether the file may be used at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validity {
    Valid,
    Expired(DateTime<Utc>),
    /// The required `Expires` field is absent or unreadable.
    NoExpiry,
}

impl SecurityTxt {
    pub fn validity(&self, now: DateTime<Utc>) -> Validity {
        match self.expires {
            Some(t) if t <= now => Validity::Expired(t),
            Some(_) => Validity::Valid,
            None => Validity::NoExpiry,
        }
    }
}

/// Parses the file's text. PGP cleartext signatures are tolerated (their armour lines skipped).
pub fn parse(text: &str) -> SecurityTxt {
    let mut out = SecurityTxt::default();
    let mut in_signature = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN PGP SIGNATURE") {
            in_signature = true;
        }
        if in_signature || line.starts_with('#') || line.starts_with("-----") || line.is_empty() {
            if line.starts_with("-----END PGP SIGNATURE") {
                in_signature = false;
            }
            continue;
        }
        let Some((field, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match field.trim().to_ascii_lowercase().as_str() {
            "contact" => {
                let v = value.strip_prefix("mailto:").unwrap_or(value);
                out.contacts.push(v.to_owned());
            }
            "expires" => {
                // RFC 9116 allows the field once; a second one makes the file suspect, so keep
                // the earliest.
                if let Ok(t) = DateTime::parse_from_rfc3339(value) {
                    let t = t.with_timezone(&Utc);
                    out.expires = Some(out.expires.map_or(t, |old| old.min(t)));
                }
            }
            "policy" => out.policy = Some(value.to_owned()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn parses_contacts_and_expiry() {
        let text = "# hi\nContact: mailto:security@site.test\nContact: https://site.test/report\n\
                    Expires: 2027-01-01T00:00:00.000Z\nPolicy: https://site.test/policy\n";
        let s = parse(text);
        assert_eq!(
            s.contacts,
            vec!["security@site.test", "https://site.test/report"]
        );
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        assert_eq!(s.validity(now), Validity::Valid);
        let later = Utc.with_ymd_and_hms(2027, 1, 2, 0, 0, 0).unwrap();
        assert!(matches!(s.validity(later), Validity::Expired(_)));
    }

    #[test]
    fn signed_file_and_missing_expiry() {
        let text = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@site.test\n\
                    -----BEGIN PGP SIGNATURE-----\nContact: mailto:evil@x.test\n-----END PGP SIGNATURE-----\n";
        let s = parse(text);
        assert_eq!(s.contacts, vec!["a@site.test"]);
        assert_eq!(s.validity(Utc::now()), Validity::NoExpiry);
    }
}
