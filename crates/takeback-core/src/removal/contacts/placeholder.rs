//! Addresses that are not addresses: RDAP redaction markers and documentation placeholders.

/// Whether `address` is a placeholder that must never be offered as a recipient.
pub fn is_placeholder(address: &str) -> bool {
    let a = address.trim().to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "redacted",
        "not disclosed",
        "notdisclosed",
        "non-public",
        "please query",
        "please contact",
        "withheld",
        "data protected",
        "privacy protect",
        "gdpr masked",
        "contact-form",
        "n/a",
    ];
    // LACNIC's marker for "no contact published".
    const ADDRESSES: &[&str] = &["removed@lacnic.net", "none", "null", "unknown"];
    // RFC 2606 documentation domains never receive mail.
    const DOMAINS: &[&str] = &["example.com", "example.net", "example.org", "invalid"];
    if a.is_empty() || MARKERS.iter().any(|m| a.contains(m)) || ADDRESSES.contains(&a.as_str()) {
        return true;
    }
    match a.rsplit_once('@') {
        Some((local, domain)) => {
            local.is_empty()
                || !domain.contains('.')
                || DOMAINS
                    .iter()
                    .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
        }
        None => !(a.starts_with("https://") || a.starts_with("http://")),
    }
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn placeholders_are_rejected() {
        for p in [
            "REDACTED FOR PRIVACY",
            "Please query the RDDS service of the Registrar of Record",
            "removed@lacnic.net",
            "abuse@example.com",
            "DATA REDACTED",
            "not-an-address",
            "@nohost.test",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for ok in [
            "abuse@godaddy.com",
            "network-abuse@google.com",
            "https://abuse.cloudflare.com/",
        ] {
            assert!(!is_placeholder(ok), "{ok}");
        }
    }
}
