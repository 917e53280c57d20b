//! Chooses which letters fit a person's situation, explains why, and warns where a route can hurt.
//!
//! Inputs are a handful of facts the person (or their advocate) can answer without legal
//! knowledge. The rules follow `research/takedowns.md` §8: minors first, copyright only for the
//! person who took the photo, TIDA for US platforms, GDPR and DSA with an EU nexus, the OSA and UK
//! GDPR with a UK nexus, then host, registrar and search delisting as later rungs.
//!
//! App API: `advise(&Facts) -> Advice`; show `routes` in order, each with its `reason` and
//! `warnings`, and `minor` instead of any letter when set.

use serde::{Deserialize, Serialize};

use super::{is_eea, is_eu, LetterKind, Regime};
use crate::removal::law::Basis;

/// Who took the photo: decides whether a copyright (DMCA) route exists at all.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Photographer {
    /// The person depicted took it (a selfie, a mirror or webcam shot).
    Myself,
    /// Someone else took it (a partner, the abuser, a photographer).
    SomeoneElse,
    #[default]
    Unknown,
}

/// Where the site operates or whom it serves.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SiteRegion {
    Us,
    Eu,
    Uk,
    Other,
    #[default]
    Unknown,
}

/// The facts the advisor asks for.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Facts {
    pub photographer: Photographer,
    /// The person's country of residence (ISO 3166-1 alpha-2).
    pub person_country: Option<String>,
    pub site_region: SiteRegion,
    /// The image is nude, sexual or intimate.
    pub intimate: bool,
    /// The person was under 18 when the image was made.
    pub minor: bool,
}

/// One recommended letter.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub kind: LetterKind,
    /// For `gdpr` and `delisting`.
    pub regime: Option<Regime>,
    /// The deadline clock this letter starts.
    pub basis: Basis,
    /// Why this route fits, in plain English words (the CLI prints them).
    pub reason: String,
    /// The same, as a code the window says in its own language.
    pub reason_code: AdviceText,
    pub warnings: Vec<String>,
    /// `warnings`, as codes, in the same order.
    pub warning_codes: Vec<AdviceText>,
}

/// A route considered and left out, with the reason (so the user is not left wondering).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub kind: LetterKind,
    pub reason: String,
    pub reason_code: AdviceText,
}

/// What to do when the person was a minor: no letters, no capture, specialist services only.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MinorGuidance {
    pub message: String,
    pub message_code: AdviceText,
    /// (name, address) of each specialist service; the names are the services' own.
    pub links: Vec<(String, String)>,
}

/// The advisor's answer.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    /// Letters to send, first rung first.
    pub routes: Vec<Route>,
    pub excluded: Vec<Excluded>,
    /// Warnings that apply to every route.
    pub warnings: Vec<String>,
    /// `warnings`, as codes, in the same order.
    pub warning_codes: Vec<AdviceText>,
    /// Set when the person was under 18; `routes` is then empty.
    pub minor: Option<MinorGuidance>,
}

/// Every sentence the advisor says, as a stable code (with its parameters): the window says it
/// in its own language; [`AdviceText::english`] is the English the CLI prints.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AdviceText {
    SaveEvidence,
    NeverSendImage,
    SendOnce,
    MinorSpecialists,
    TidaFits,
    TidaIntimateOnly,
    TidaNotUs,
    TidaScope,
    OsaFits,
    OsaCommencement,
    GdprFits { regime: Regime, intimate: bool },
    GdprProof,
    GdprNeedsLink,
    DsaFits,
    DsaFollowUp,
    DmcaFits,
    DmcaSomeoneElse,
    DmcaUnknown,
    Perjury,
    Lumen,
    CounterNotice,
    Representative,
    AbuseFits,
    CdnForwards,
    DelistingFits,
    DelistingHidesOnly,
    DelistingNoRight,
}

impl AdviceText {
    /// The sentence in English.
    pub fn english(self) -> String {
        match self {
            AdviceText::SaveEvidence => "Save the evidence (page, address, date) before asking for removal; Takeback keeps it encrypted on this computer.".into(),
            AdviceText::NeverSendImage => "Never send the image itself. Every letter identifies it by its address, date and fingerprint.".into(),
            AdviceText::SendOnce => "Send each request once. Repeating the same report rarely helps; if the deadline passes, Takeback suggests the next recipient instead.".into(),
            AdviceText::MinorSpecialists => "Images made when someone was under 18 are handled by specialist services that can remove them without anyone having to share the image. Takeback will not capture, copy or store these images, and does not write letters for them.".into(),
            AdviceText::TidaFits => "The TAKE IT DOWN Act makes US platforms remove intimate images shared without consent within 48 hours of a valid request. You do not need to own the copyright, and it covers AI fakes too.".into(),
            AdviceText::TidaIntimateOnly => "The TAKE IT DOWN Act covers intimate images only.".into(),
            AdviceText::TidaNotUs => "The TAKE IT DOWN Act binds platforms under US jurisdiction; this site does not seem to be one.".into(),
            AdviceText::TidaScope => "The 48-hour duty applies to platforms that host user content for the public. Pure web hosts, CDNs and registrars are not covered; use the abuse letter for them.".into(),
            AdviceText::OsaFits => "UK services must take down reported intimate images within 48 hours under the Online Safety Act, and you can report even without an account.".into(),
            AdviceText::OsaCommencement => "The 48-hour duty was added by the Crime and Policing Act 2026. Check on legislation.gov.uk that it is in force before relying on the deadline.".into(),
            AdviceText::GdprFits { regime, intimate } => {
                let law = match regime {
                    Regime::Uk => "UK GDPR",
                    Regime::Eu => "GDPR",
                };
                let why = if intimate {
                    "Intimate images are data about your sex life, which the law protects most strongly."
                } else {
                    "Photos of you are your personal data."
                };
                format!("Under the {law} the site must erase your data within one month. {why}")
            }
            AdviceText::GdprProof => "The site may ask you to prove who you are, but only if it has a real doubt. You never need to send the image.".into(),
            AdviceText::GdprNeedsLink => "Data-protection erasure rights need a link to the EU or the UK (where you live, or where the site operates).".into(),
            AdviceText::DsaFits => "Services offered in the EU must act on notices of illegal content under Article 16 of the Digital Services Act, and sharing intimate images without consent is a crime across the EU.".into(),
            AdviceText::DsaFollowUp => "The DSA sets no fixed deadline; Takeback reminds you to follow up after a week. Your name and email may be passed to the uploader where strictly necessary.".into(),
            AdviceText::DmcaFits => "You took the photo, so you own its copyright and can send a DMCA notice. US hosts act on these quickly to keep their legal protection.".into(),
            AdviceText::DmcaSomeoneElse => "A DMCA notice is only for the copyright owner, who is usually the person who took the photo. Since someone else took it, use the other routes; a false copyright claim can make you liable (17 U.S.C. § 512(f)).".into(),
            AdviceText::DmcaUnknown => "A DMCA notice needs copyright ownership. If you are not sure who took the photo (a timer, a video call, a fake made from your selfie), ask a lawyer before using it.".into(),
            AdviceText::Perjury => "A DMCA notice is sworn under penalty of perjury. Claiming copyright in a photo someone else took can make you liable for damages (17 U.S.C. § 512(f)).".into(),
            AdviceText::Lumen => "Copyright notices are often published: Google sends copies to the public Lumen database, which may include the sender's name. Hosts usually forward them to the uploader.".into(),
            AdviceText::CounterNotice => "The uploader can answer with a counter-notice. It reveals their name and address to you and yours to them, and the content comes back after 10 to 14 US business days unless you file a lawsuit.".into(),
            AdviceText::Representative => "Consider letting an advocate send this as your authorised representative: the recipient may forward the letter to the person who uploaded the image.".into(),
            AdviceText::AbuseFits => "If the site does not act, its hosting provider and then its domain registrar can remove the content or suspend the site.".into(),
            AdviceText::CdnForwards => "A CDN such as Cloudflare does not host the files; it can forward your report and tell you who the host is.".into(),
            AdviceText::DelistingFits => "Search engines must delist results that lead to intimate images of you. This hides them from searches while the site is dealt with. Google's and Bing's own forms for intimate images are often faster.".into(),
            AdviceText::DelistingHidesOnly => "Delisting hides search results; it does not delete the image from the site.".into(),
            AdviceText::DelistingNoRight => "Outside the EU and UK there is no legal delisting right; use Google's and Bing's forms for intimate images, listed under Contacts.".into(),
        }
    }
}

fn route(
    kind: LetterKind,
    regime: Option<Regime>,
    basis: Basis,
    reason: AdviceText,
    warnings: &[AdviceText],
) -> Route {
    Route {
        kind,
        regime,
        basis,
        reason: reason.english(),
        reason_code: reason,
        warnings: warnings.iter().map(|w| w.english()).collect(),
        warning_codes: warnings.to_vec(),
    }
}

fn excluded(kind: LetterKind, reason: AdviceText) -> Excluded {
    Excluded {
        kind,
        reason: reason.english(),
        reason_code: reason,
    }
}

/// Chooses the letters for `facts`.
pub fn advise(facts: &Facts) -> Advice {
    use AdviceText as T;
    let general = [T::SaveEvidence, T::NeverSendImage, T::SendOnce];
    let mut advice = Advice {
        routes: Vec::new(),
        excluded: Vec::new(),
        warnings: general.iter().map(|w| w.english()).collect(),
        warning_codes: general.to_vec(),
        minor: None,
    };
    if facts.minor {
        advice.warnings.clear();
        advice.warning_codes.clear();
        advice.minor = Some(MinorGuidance {
            message: T::MinorSpecialists.english(),
            message_code: T::MinorSpecialists,
            links: vec![
                (
                    "NCMEC Take It Down".into(),
                    "https://takeitdown.ncmec.org/".into(),
                ),
                (
                    "NCMEC CyberTipline (US)".into(),
                    "https://report.cybertip.org/".into(),
                ),
                (
                    "Internet Watch Foundation (UK)".into(),
                    "https://report.iwf.org.uk/".into(),
                ),
            ],
        });
        return advice;
    }

    let country = facts.person_country.as_deref().map(str::to_ascii_uppercase);
    let person_eu = country.as_deref().is_some_and(is_eea);
    let person_uk = country.as_deref().is_some_and(|c| c == "GB" || c == "UK");
    let site = facts.site_region;
    let us_nexus =
        matches!(site, SiteRegion::Us | SiteRegion::Unknown) || country.as_deref() == Some("US");
    let eu_nexus = person_eu || site == SiteRegion::Eu;
    let uk_nexus = person_uk || site == SiteRegion::Uk;

    if facts.intimate && us_nexus {
        advice.routes.push(route(
            LetterKind::Takeitdown,
            None,
            Basis::Tida48h,
            T::TidaFits,
            &[T::TidaScope, T::Representative],
        ));
    } else if !facts.intimate {
        advice
            .excluded
            .push(excluded(LetterKind::Takeitdown, T::TidaIntimateOnly));
    } else {
        advice
            .excluded
            .push(excluded(LetterKind::Takeitdown, T::TidaNotUs));
    }

    if uk_nexus {
        if facts.intimate {
            advice.routes.push(route(
                LetterKind::Ukosa,
                None,
                Basis::UkOsa48h,
                T::OsaFits,
                &[T::OsaCommencement],
            ));
        }
        advice.routes.push(gdpr_route(Regime::Uk, facts.intimate));
    }
    if eu_nexus {
        advice.routes.push(gdpr_route(Regime::Eu, facts.intimate));
        let dsa_applies = site == SiteRegion::Eu || country.as_deref().is_some_and(is_eu);
        if dsa_applies && facts.intimate {
            advice.routes.push(route(
                LetterKind::Dsa,
                None,
                Basis::DsaNone,
                T::DsaFits,
                &[T::DsaFollowUp],
            ));
        }
    }
    if !uk_nexus && !eu_nexus {
        advice
            .excluded
            .push(excluded(LetterKind::Gdpr, T::GdprNeedsLink));
    }

    match facts.photographer {
        Photographer::Myself => advice.routes.push(route(
            LetterKind::Dmca,
            None,
            Basis::DmcaNone,
            T::DmcaFits,
            &[T::Perjury, T::Lumen, T::CounterNotice, T::Representative],
        )),
        Photographer::SomeoneElse => advice
            .excluded
            .push(excluded(LetterKind::Dmca, T::DmcaSomeoneElse)),
        Photographer::Unknown => advice
            .excluded
            .push(excluded(LetterKind::Dmca, T::DmcaUnknown)),
    }

    advice.routes.push(route(
        LetterKind::Abuse,
        None,
        Basis::PolicyNone,
        T::AbuseFits,
        &[T::CdnForwards],
    ));

    let delisting_regime = if uk_nexus {
        Some(Regime::Uk)
    } else if eu_nexus {
        Some(Regime::Eu)
    } else {
        None
    };
    match delisting_regime {
        Some(regime) => advice.routes.push(route(
            LetterKind::Delisting,
            Some(regime),
            if regime == Regime::Uk {
                Basis::UkGdpr1m
            } else {
                Basis::Gdpr1m
            },
            T::DelistingFits,
            &[T::DelistingHidesOnly],
        )),
        None => advice
            .excluded
            .push(excluded(LetterKind::Delisting, T::DelistingNoRight)),
    }
    advice
}

fn gdpr_route(regime: Regime, intimate: bool) -> Route {
    let basis = match regime {
        Regime::Uk => Basis::UkGdpr1m,
        Regime::Eu => Basis::Gdpr1m,
    };
    route(
        LetterKind::Gdpr,
        Some(regime),
        basis,
        AdviceText::GdprFits { regime, intimate },
        &[AdviceText::GdprProof],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(a: &Advice) -> Vec<LetterKind> {
        a.routes.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn minors_get_no_letters() {
        let a = advise(&Facts {
            minor: true,
            intimate: true,
            ..Facts::default()
        });
        assert!(a.routes.is_empty());
        assert!(a.minor.is_some());
    }

    #[test]
    fn someone_elses_photo_never_gets_dmca() {
        let a = advise(&Facts {
            photographer: Photographer::SomeoneElse,
            intimate: true,
            site_region: SiteRegion::Us,
            ..Facts::default()
        });
        assert!(!kinds(&a).contains(&LetterKind::Dmca));
        assert!(a.excluded.iter().any(|e| e.kind == LetterKind::Dmca));
        assert_eq!(kinds(&a)[0], LetterKind::Takeitdown);
    }

    #[test]
    fn selfie_gets_dmca_with_exposure_warnings() {
        let a = advise(&Facts {
            photographer: Photographer::Myself,
            intimate: true,
            site_region: SiteRegion::Us,
            ..Facts::default()
        });
        let dmca = a
            .routes
            .iter()
            .find(|r| r.kind == LetterKind::Dmca)
            .unwrap();
        assert!(dmca.warnings.iter().any(|w| w.contains("Lumen")));
        assert!(dmca.warnings.iter().any(|w| w.contains("counter-notice")));
    }

    #[test]
    fn uk_resident_gets_osa_and_uk_gdpr() {
        let a = advise(&Facts {
            person_country: Some("gb".into()),
            intimate: true,
            site_region: SiteRegion::Other,
            ..Facts::default()
        });
        assert_eq!(
            kinds(&a),
            vec![
                LetterKind::Ukosa,
                LetterKind::Gdpr,
                LetterKind::Abuse,
                LetterKind::Delisting
            ]
        );
        assert_eq!(a.routes[1].regime, Some(Regime::Uk));
    }

    #[test]
    fn eu_resident_gets_gdpr_and_dsa() {
        let a = advise(&Facts {
            person_country: Some("DE".into()),
            intimate: true,
            site_region: SiteRegion::Us,
            ..Facts::default()
        });
        let k = kinds(&a);
        assert!(k.contains(&LetterKind::Takeitdown) && k.contains(&LetterKind::Gdpr));
        assert!(k.contains(&LetterKind::Dsa));
    }

    #[test]
    fn every_sentence_has_its_code_and_the_english_is_unchanged() {
        let a = advise(&Facts {
            photographer: Photographer::Myself,
            person_country: Some("GB".into()),
            intimate: true,
            ..Facts::default()
        });
        for r in &a.routes {
            assert_eq!(r.reason, r.reason_code.english());
            let words: Vec<String> = r.warning_codes.iter().map(|c| c.english()).collect();
            assert_eq!(r.warnings, words);
        }
        for x in &a.excluded {
            assert_eq!(x.reason, x.reason_code.english());
        }
        assert_eq!(a.warning_codes.len(), a.warnings.len());
        let gdpr = a
            .routes
            .iter()
            .find(|r| r.kind == LetterKind::Gdpr)
            .unwrap();
        assert_eq!(
            gdpr.reason,
            "Under the UK GDPR the site must erase your data within one month. Intimate images are data about your sex life, which the law protects most strongly."
        );
        let json = serde_json::to_value(gdpr.reason_code).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "gdpr_fits", "regime": "uk", "intimate": true})
        );
    }

    #[test]
    fn non_intimate_gets_no_tida() {
        let a = advise(&Facts {
            site_region: SiteRegion::Us,
            ..Facts::default()
        });
        assert!(!kinds(&a).contains(&LetterKind::Takeitdown));
    }
}
