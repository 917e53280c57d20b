//! Contacts on the site's own home page: `mailto:` addresses and links to its contact, DMCA,
//! report or removal pages. A light scan of `href` attributes, not a full HTML parser: the goal
//! is to point the user at the right page, and they open it themselves.

use url::Url;

use super::placeholder::is_placeholder;
use super::{Contact, ContactText, Role, Source};

const KEYWORDS: &[&str] = &[
    "dmca",
    "copyright",
    "takedown",
    "take-it-down",
    "takeitdown",
    "removal",
    "remove",
    "report",
    "abuse",
    "contact",
    "legal",
    "privacy",
    "impressum",
    "imprint",
];
const MAX_LINKS: usize = 12;

/// The contacts found in `html`, whose address is `page_url`.
pub fn contacts(html: &str, page_url: &Url) -> Vec<Contact> {
    let mut out: Vec<Contact> = Vec::new();
    for href in hrefs(html) {
        let contact = if let Some(mail) = href.strip_prefix("mailto:") {
            let address = mail.split('?').next().unwrap_or("").trim().to_owned();
            if is_placeholder(&address) {
                continue;
            }
            let lower = address.to_ascii_lowercase();
            let role = if lower.contains("dmca") || lower.contains("copyright") {
                Role::DmcaAgent
            } else {
                Role::Operator
            };
            Contact {
                address,
                role,
                source: Source::Page,
                detail: "email address published on the site".into(),
                detail_code: ContactText::PublishedEmail,
                source_url: Some(page_url.to_string()),
                last_verified: None,
                platform: None,
            }
        } else {
            let Ok(link) = page_url.join(&href) else {
                continue;
            };
            let path = link.path().to_ascii_lowercase();
            let same_site = link.host_str() == page_url.host_str();
            if !same_site
                || !matches!(link.scheme(), "http" | "https")
                || !KEYWORDS.iter().any(|k| path.contains(k))
            {
                continue;
            }
            Contact {
                address: link.to_string(),
                role: Role::Form,
                source: Source::Page,
                detail: "the site's own contact, report or copyright page".into(),
                detail_code: ContactText::OwnPage,
                source_url: Some(page_url.to_string()),
                last_verified: None,
                platform: None,
            }
        };
        if !out
            .iter()
            .any(|c| c.address.eq_ignore_ascii_case(&contact.address))
        {
            out.push(contact);
        }
        if out.len() >= MAX_LINKS {
            break;
        }
    }
    out
}

/// The values of every `href="…"` / `href='…'` attribute.
fn hrefs(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("href=") {
        let start = from + pos + 5;
        from = start;
        let Some(quote) = html[start..].chars().next() else {
            break;
        };
        if quote != '"' && quote != '\'' {
            continue;
        }
        let rest = &html[start + 1..];
        if let Some(end) = rest.find(quote) {
            out.push(rest[..end].trim().replace("&amp;", "&"));
            from = start + 1 + end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mail_and_relevant_links_only() {
        let base = Url::parse("https://site.test/").unwrap();
        let html = r#"<a href="/about">About</a> <a href="/legal/dmca">DMCA</a>
            <a href='mailto:dmca@site.test?subject=x'>mail</a> <a href="mailto:REDACTED">x</a>
            <a href="https://other.test/contact">elsewhere</a>"#;
        let c = contacts(html, &base);
        let addrs: Vec<_> = c.iter().map(|c| (c.address.as_str(), c.role)).collect();
        assert_eq!(
            addrs,
            vec![
                ("https://site.test/legal/dmca", Role::Form),
                ("dmca@site.test", Role::DmcaAgent)
            ]
        );
    }
}
