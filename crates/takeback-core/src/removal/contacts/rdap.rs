//! Abuse contacts in RDAP answers (RFC 9083), at the JSON paths of research/takedowns.md §5.3:
//!
//! - gTLD domain: `entities[roles∋registrar].entities[roles∋abuse].vcardArray` (ICANN RDAP
//!   Response Profile §2.4.5) → role `registrar`;
//! - IP network at ARIN: `entities[roles∋registrant].entities[roles∋abuse]` → role `abuse`;
//! - IP network at RIPE, APNIC and others: top-level `entities[roles∋abuse]` → role `abuse`.
//!
//! The walk is recursive (depth 4) and remembers the parent's role, so all three shapes and
//! mixtures of them are handled by one function. Redacted and placeholder values are dropped.

use serde_json::Value;

use super::placeholder::is_placeholder;
use super::{Contact, ContactText, Role, Source};

/// What an RDAP answer was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Domain,
    Network,
}

/// The abuse contacts in an RDAP answer, tagged with the server it came from.
pub fn abuse_contacts(answer: &Value, subject: Subject, server_url: &str) -> Vec<Contact> {
    let mut out = Vec::new();
    walk(answer, None, subject, server_url, 0, &mut out);
    out
}

/// The `links[rel=related]` RDAP URL of a thin registry's answer (the registrar's own server).
pub fn related_link(answer: &Value) -> Option<String> {
    answer
        .get("entities")?
        .as_array()?
        .iter()
        .filter(|e| has_role(e, "registrar"))
        .chain(std::iter::once(answer))
        .flat_map(|e| {
            e.get("links")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .find(|l| {
            l.get("rel").and_then(Value::as_str) == Some("related")
                && l.get("type").and_then(Value::as_str) == Some("application/rdap+json")
        })
        .and_then(|l| l.get("href").and_then(Value::as_str))
        .map(str::to_owned)
}

fn has_role(entity: &Value, role: &str) -> bool {
    entity
        .get("roles")
        .and_then(Value::as_array)
        .is_some_and(|roles| roles.iter().any(|r| r.as_str() == Some(role)))
}

fn walk(
    node: &Value,
    parent_role: Option<&str>,
    subject: Subject,
    server: &str,
    depth: u8,
    out: &mut Vec<Contact>,
) {
    if depth > 4 {
        return;
    }
    let Some(entities) = node.get("entities").and_then(Value::as_array) else {
        return;
    };
    for entity in entities {
        let own_role = if has_role(entity, "registrar") {
            Some("registrar")
        } else if has_role(entity, "registrant") {
            Some("registrant")
        } else {
            parent_role
        };
        if has_role(entity, "abuse") {
            let role = match (parent_role, subject) {
                (Some("registrar"), _) => Role::Registrar,
                (_, Subject::Domain) if has_role(entity, "registrar") => Role::Registrar,
                _ => Role::Abuse,
            };
            let name = vcard_values(entity, "fn").into_iter().next();
            let scope = match role {
                Role::Registrar => "the company the site's name is registered with",
                _ => "the company that hosts the site",
            };
            let detail = match (&name, entity.get("handle").and_then(Value::as_str)) {
                (Some(n), Some(h)) => format!("{scope}: {n} ({h})"),
                (Some(n), None) => format!("{scope}: {n}"),
                (None, Some(h)) => format!("{scope} ({h})"),
                (None, None) => scope.to_owned(),
            };
            for email in vcard_values(entity, "email") {
                if !is_placeholder(&email) {
                    out.push(Contact {
                        address: email,
                        role,
                        source: Source::Rdap,
                        detail: detail.clone(),
                        detail_code: match role {
                            Role::Registrar => ContactText::Registrar { name: name.clone() },
                            _ => ContactText::Host { name: name.clone() },
                        },
                        source_url: Some(server.to_owned()),
                        last_verified: None,
                        platform: None,
                    });
                }
            }
        }
        walk(entity, own_role, subject, server, depth + 1, out);
    }
}

/// Values of a jCard property: `vcardArray[1][i]` where `[0] == name`, value at `[3]`.
fn vcard_values(entity: &Value, name: &str) -> Vec<String> {
    entity
        .get("vcardArray")
        .and_then(|v| v.get(1))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|item| item.get(0).and_then(Value::as_str) == Some(name))
        .filter_map(|item| item.get(3))
        .filter_map(|v| match v {
            Value::String(s) => Some(s.trim().trim_start_matches("mailto:").to_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn arin_nested_under_registrant() {
        let answer = json!({"objectClassName": "ip network", "entities": [{
            "handle": "GOGL", "roles": ["registrant"],
            "vcardArray": ["vcard", [["fn", {}, "text", "Google LLC"]]],
            "entities": [{"handle": "ABUSE5250-ARIN", "roles": ["abuse"],
                "vcardArray": ["vcard", [["fn", {}, "text", "Abuse"], ["email", {}, "text", "network-abuse@google.com"]]]}]
        }]});
        let c = abuse_contacts(
            &answer,
            Subject::Network,
            "https://rdap.arin.net/registry/ip/8.8.8.0",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].address.as_str(), c[0].role),
            ("network-abuse@google.com", Role::Abuse)
        );
    }

    #[test]
    fn registrar_abuse_and_redacted_registrant() {
        let answer = json!({"entities": [
            {"roles": ["registrant"], "vcardArray": ["vcard", [["email", {}, "text", "REDACTED FOR PRIVACY"]]]},
            {"roles": ["registrar"], "entities": [{"roles": ["abuse"],
                "vcardArray": ["vcard", [["email", {}, "text", "abuse@registrar.test"]]]}]}
        ]});
        let c = abuse_contacts(&answer, Subject::Domain, "x");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].role, Role::Registrar);
    }
}
