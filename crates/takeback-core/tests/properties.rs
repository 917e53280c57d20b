//! Property tests of every parser of outside input (issue 15, "Fuzz and property tests"): the
//! image decoder, the HTML image extractor, robots.txt, the RDAP and security.txt parsers and
//! the hand-off bundle reader are fed arbitrary and damaged input. Each returns a value or a
//! typed error, never panics, and keeps the bounds it promises. (The providers' JSON parsers are
//! private; their properties are in `src/search/providers/properties.rs`.)
//!
//! CI runs 256 cases of each parser property and 32 of the bundle's (`config(N)`, a few seconds in
//! all); `scripts/fuzz-long.sh` runs many more through `PROPTEST_CASES`.
#![allow(clippy::unwrap_used)]
// The bundles handed to clients are locked to X25519 keys (what `age-keygen` makes), which age
// 0.13 marks deprecated in favour of post-quantum ones.
#![allow(deprecated)]

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use takeback_core::base::paths::DataDir;
use takeback_core::handoff::bundle::{self, Key, Lock};
use takeback_core::removal::contacts::{rdap, security_txt};
use takeback_core::search::crawl::extract::extract_links;
use takeback_core::search::crawl::robots::RobotsRules;
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{KdfParams, Profiles};
use takeback_faces::{decode_image, DecodeLimits};
use takeback_testkit::arbitrary::{config, json, mutated, text};
use url::Url;

fn faces(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/faces")
            .join(name),
    )
    .unwrap()
}

/// A small picture in each format the decoder reads, to damage byte by byte.
fn image_samples() -> Vec<Vec<u8>> {
    let picture = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(12, 9, |x, y| {
        image::Rgb([(x * 20) as u8, (y * 25) as u8, 128])
    }));
    let mut samples = vec![faces("faceapi/angry.jpg")];
    for format in [
        image::ImageFormat::Png,
        image::ImageFormat::Gif,
        image::ImageFormat::Bmp,
        image::ImageFormat::Tiff,
        image::ImageFormat::WebP,
    ] {
        let mut bytes = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut bytes, format).unwrap();
        samples.push(bytes.into_inner());
    }
    samples
}

fn damaged_image() -> impl Strategy<Value = Vec<u8>> {
    proptest::sample::select(image_samples()).prop_flat_map(mutated)
}

const HTML_PIECES: &[&str] = &[
    "<img src=\"",
    "<img srcset=\"",
    "<picture><source srcset=\"",
    "<meta property=\"og:image\" content=\"",
    "<link rel=\"image_src\" href=\"",
    "<a href=\"",
    "<base href=\"",
    "<area href=\"",
    "\">",
    "\" data-src=\"",
    " 2x, ",
    " 480w,",
    "</picture>",
    "<!--",
    "-->",
    "<script>",
    "</a>",
    "<svg><image href=\"",
    "<template>",
    "javascript:",
    "data:image/png;base64,AAAA",
    "//cdn.example/",
    "../",
    "/img/a.jpg",
    "b.PNG?x=1#y",
    "%00",
    "\u{202e}",
    "&amp;",
    "<![CDATA[",
    "<",
];

fn html() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            3 => proptest::sample::select(HTML_PIECES).prop_map(str::to_owned),
            1 => text(),
        ],
        0..64,
    )
    .prop_map(|pieces| pieces.concat())
}

const ROBOTS_LINES: &[&str] = &[
    "User-agent: *",
    "User-agent: TakebackBot",
    "User-agent: takebackbot/1.0",
    "Disallow: /",
    "Disallow: /private",
    "Allow: /private/ok",
    "Disallow: /*.jpg$",
    "Crawl-delay: 5",
    "Crawl-delay: 1e309",
    "Crawl-delay: -3",
    "Crawl-delay: NaN",
    "Sitemap: https://x/s.xml",
    "#",
    "Disallow:",
    "Allow: /",
    "\u{feff}User-agent: *",
    "Disallow: /%E2%82%AC",
];

fn robots_txt() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            3 => proptest::sample::select(ROBOTS_LINES).prop_map(str::to_owned),
            1 => text(),
        ],
        0..24,
    )
    .prop_flat_map(|lines| mutated(lines.join("\n").into_bytes()))
}

const RDAP_KEYS: &[&str] = &[
    "entities",
    "roles",
    "vcardArray",
    "vcard",
    "email",
    "fn",
    "kind",
    "links",
    "rel",
    "href",
    "type",
    "value",
    "handle",
    "abuse",
    "registrar",
    "remarks",
    "objectClassName",
    "related",
];

const SECURITY_LINES: &[&str] = &[
    "Contact: mailto:security@example.com",
    "Contact: https://example.com/report",
    "Contact: tel:+1",
    "Contact: mailto:",
    "Expires: 2030-01-01T00:00:00Z",
    "Expires: yesterday",
    "Policy: https://x/p",
    "-----BEGIN PGP SIGNED MESSAGE-----",
    "Hash: SHA256",
    "-----BEGIN PGP SIGNATURE-----",
    "# note",
    "contact:MAILTO:A@B.C",
    "Contact:\tmailto:x@y.z",
    "\r",
];

proptest! {
    #![proptest_config(config(256))]

    /// Image decoding: a value within the limits, or a typed error.
    #[test]
    fn decoding_a_damaged_image_gives_an_image_or_a_typed_error(bytes in damaged_image()) {
        let limits = DecodeLimits::default();
        match decode_image(&bytes, &limits) {
            Ok(image) => {
                prop_assert!(image.width() > 0 && image.height() > 0);
                prop_assert!(image.width() <= limits.max_side && image.height() <= limits.max_side);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn decoding_any_bytes_gives_an_image_or_a_typed_error(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(image) = decode_image(&bytes, &DecodeLimits::default()) {
            prop_assert!(image.width() > 0 && image.height() > 0);
        }
    }

    /// The HTML image extractor: absolute http(s) addresses only, no repeats, at most `max` of each.
    #[test]
    fn the_extractor_gives_bounded_absolute_web_addresses(page in html(), max in 0usize..12) {
        let base = Url::parse("https://site.example/dir/page.html").unwrap();
        let links = extract_links(&page, &base, max);
        for list in [&links.pages, &links.images] {
            prop_assert!(list.len() <= max);
            let unique: std::collections::HashSet<_> = list.iter().collect();
            prop_assert_eq!(unique.len(), list.len());
            for url in list.iter() {
                prop_assert!(matches!(url.scheme(), "http" | "https"), "{}", url);
            }
        }
    }

    /// robots.txt: any body gives rules; the crawl delay stays bounded.
    #[test]
    fn any_robots_txt_gives_rules_with_a_bounded_delay(body in robots_txt(), path in "/[a-zA-Z0-9/%*$._-]{0,20}") {
        let rules = RobotsRules::from_body(&body);
        let _ = rules.allows(&format!("https://site.example{path}"));
        if let Some(delay) = rules.crawl_delay() {
            prop_assert!(delay <= std::time::Duration::from_secs(10));
        }
    }

    /// A site that disallows a path to every robot is obeyed whatever else the file says about
    /// other robots.
    #[test]
    fn a_disallowed_path_stays_disallowed(dir in "[a-z]{1,8}", noise in proptest::collection::vec("User-agent: [0-9]{1,6}\nAllow: /[a-z]{0,6}", 0..4)) {
        let body = format!("{}\n\nUser-agent: *\nDisallow: /{dir}\n", noise.join("\n\n"));
        let rules = RobotsRules::from_body(body.as_bytes());
        let url = format!("https://site.example/{dir}/photo.jpg");
        prop_assert!(!rules.allows(&url), "{}", url);
    }

    /// RDAP: any answer gives contacts (perhaps none), each with an address.
    #[test]
    fn any_rdap_answer_gives_contacts_with_addresses(answer in json(RDAP_KEYS)) {
        for subject in [rdap::Subject::Domain, rdap::Subject::Network] {
            for contact in rdap::abuse_contacts(&answer, subject, "https://rdap.example/") {
                prop_assert!(!contact.address.trim().is_empty());
            }
        }
        let _ = rdap::related_link(&answer);
    }

    /// security.txt: any text gives a parse; every contact comes from a `Contact:` line.
    #[test]
    fn any_security_txt_gives_contacts_from_its_lines(lines in proptest::collection::vec(
        prop_oneof![3 => proptest::sample::select(SECURITY_LINES).prop_map(str::to_owned), 1 => text()], 0..16)) {
        let text = lines.join("\n");
        let parsed = security_txt::parse(&text);
        prop_assert!(parsed.contacts.len() <= lines.len());
        let _ = parsed.validity(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    }
}

/// A real bundle (an empty clinic profile, exported to an age key), its key file and its
/// decrypted tar, made once.
struct BundleSample {
    _dir: tempfile::TempDir,
    key_file: PathBuf,
    recipient: age::x25519::Recipient,
    encrypted: Vec<u8>,
    plain: Vec<u8>,
}

fn bundle_sample() -> &'static BundleSample {
    static SAMPLE: OnceLock<BundleSample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        use age::secrecy::ExposeSecret;
        let dir = tempfile::tempdir().unwrap();
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public();
        let key_file = dir.path().join("key.txt");
        std::fs::write(
            &key_file,
            format!("{}\n", identity.to_string().expose_secret()),
        )
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let vault = Profiles::new(&DataDir::at(dir.path().join("data")))
            .create_clinic(
                "c",
                &Secret::new("a long passphrase".to_owned()),
                KdfParams::INSECURE_FOR_TESTS,
                now,
            )
            .unwrap();
        let out = dir.path().join("case.takeback");
        bundle::export(
            &vault,
            &bundle::ExportRequest {
                out: out.clone(),
                cases: Vec::new(),
                lock: Lock::Recipient(recipient.to_string()),
                include_face: false,
                overwrite: false,
            },
            now,
        )
        .unwrap();
        let encrypted = std::fs::read(&out).unwrap();
        let mut plain = Vec::new();
        age::Decryptor::new(&encrypted[..])
            .unwrap()
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .unwrap()
            .read_to_end(&mut plain)
            .unwrap();
        assert!(bundle::verify(&out, &Key::IdentityFile(key_file.clone())).is_ok());
        BundleSample {
            _dir: dir,
            key_file,
            recipient,
            encrypted,
            plain,
        }
    })
}

fn verify_bytes(bytes: &[u8]) -> takeback_core::Result<bundle::Manifest> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    bundle::verify(
        file.path(),
        &Key::IdentityFile(bundle_sample().key_file.clone()),
    )
}

proptest! {
    #![proptest_config(config(32))]

    /// Any change to an encrypted bundle is refused (age authenticates every chunk).
    #[test]
    fn a_changed_encrypted_bundle_is_refused(bytes in mutated(bundle_sample().encrypted.clone())) {
        let result = verify_bytes(&bytes);
        if bytes == bundle_sample().encrypted {
            prop_assert!(result.is_ok());
        } else {
            prop_assert!(result.is_err());
        }
    }

    /// A damaged tar inside a well-encrypted bundle (what a buggy or hostile exporter makes):
    /// refused with a typed error, or accepted only when every entry matches the manifest.
    #[test]
    fn a_damaged_payload_is_refused_or_checks_out(plain in mutated(bundle_sample().plain.clone())) {
        let sample = bundle_sample();
        let mut encrypted = Vec::new();
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&sample.recipient as _)).unwrap();
        let mut writer = encryptor.wrap_output(&mut encrypted).unwrap();
        writer.write_all(&plain).unwrap();
        writer.finish().unwrap();
        match verify_bytes(&encrypted) {
            Ok(manifest) => prop_assert!(manifest.entries.len() <= 64),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
