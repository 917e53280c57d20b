//! The letter as an `.eml` draft (RFC 5322, MIME multipart) that the user opens in their mail
//! program, reviews and sends. Attached: the letter as PDF, an evidence manifest (CSV: addresses,
//! dates, fingerprints), and any non-image evidence the user adds (a police report, a screenshot
//! of a threat is NOT allowed: it is an image). Images and videos are refused, whatever their
//! name says, so the intimate image can never leave in a letter.

use chrono::{DateTime, Utc};
use mail_builder::headers::address::Address;
use mail_builder::MessageBuilder;
use sha2::{Digest, Sha256};

use super::Letter;
use crate::{Error, Result};

/// A non-image file to attach.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// A file the user chose, typed by its extension (what mail programs go by); the content
    /// itself is checked by [`Attachment::check`].
    pub fn from_file(path: &std::path::Path, bytes: Vec<u8>) -> Self {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let content_type = match ext.as_deref() {
            Some("pdf") => "application/pdf",
            Some("txt") => "text/plain",
            Some("csv") => "text/csv",
            Some("json") => "application/json",
            _ => "application/octet-stream",
        };
        Self {
            file_name: path
                .file_name()
                .map_or_else(|| "evidence".into(), |n| n.to_string_lossy().into_owned()),
            content_type: content_type.into(),
            bytes,
        }
    }

    /// Refuses images and videos by content type, file extension and content (magic bytes).
    pub fn check(&self) -> Result<()> {
        let ct = self.content_type.to_ascii_lowercase();
        let ext = self
            .file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        const MEDIA_EXT: &[&str] = &[
            "jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "heic", "heif", "avif",
            "svg", "ico", "mp4", "mov", "webm", "mkv", "avi", "m4v",
        ];
        if ct.starts_with("image/")
            || ct.starts_with("video/")
            || MEDIA_EXT.contains(&ext.as_str())
            || looks_like_media(&self.bytes)
        {
            return Err(Error::ImageAttachmentRefused {
                file_name: self.file_name.clone(),
            });
        }
        Ok(())
    }
}

fn looks_like_media(b: &[u8]) -> bool {
    b.starts_with(&[0xFF, 0xD8, 0xFF])
        || b.starts_with(b"\x89PNG")
        || b.starts_with(b"GIF8")
        || b.starts_with(b"BM")
        || b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
        || (b.len() >= 12 && &b[0..4] == b"RIFF" && matches!(&b[8..12], b"WEBP" | b"AVI "))
        || (b.len() >= 12 && &b[4..8] == b"ftyp")
        || b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
}

/// The evidence manifest: one row per finding, no image bytes.
pub fn manifest(letter: &Letter) -> String {
    let mut csv = String::from("n,image_url,page_url,first_seen_utc,sha256,pdq\n");
    let field = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for (i, f) in letter.findings.iter().enumerate() {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            i + 1,
            field(&f.image_url),
            field(f.page_url.as_deref().unwrap_or("")),
            f.first_seen.format("%Y-%m-%dT%H:%M:%SZ"),
            f.sha256,
            f.pdq.as_deref().unwrap_or("")
        ));
    }
    csv
}

/// Writes the draft. `now` becomes the `Date:` header. The `Message-ID` is derived from the
/// letter, never from the machine's host name (which often contains the owner's name).
pub fn render(letter: &Letter, extra: &[Attachment], now: DateTime<Utc>) -> Result<Vec<u8>> {
    for a in extra {
        a.check()?;
    }
    let pdf = super::pdf::render(letter)?;
    let digest = Sha256::digest(format!("{}\n{}\n{}", letter.subject, letter.body, now));
    let domain = letter
        .signer
        .email
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_else(|| "takeback.invalid".into());
    let message_id = format!("{}@{}", hex::encode(&digest[..12]), domain);

    let mut builder = MessageBuilder::new()
        .from(Address::new_address(
            Some(letter.signer.name.clone()),
            letter.signer.email.clone(),
        ))
        .subject(letter.subject.clone())
        .date(now.timestamp())
        .message_id(message_id)
        .text_body(letter.text())
        .attachment(
            "application/pdf",
            format!("{}-letter.pdf", letter.kind),
            pdf,
        )
        .attachment(
            "text/csv",
            "evidence-manifest.csv",
            manifest(letter).into_bytes(),
        );
    if let Some(to) = &letter.recipient.address {
        builder = builder.to(Address::new_address(
            Some(letter.recipient.name.clone()),
            to.clone(),
        ));
    }
    for a in extra {
        builder = builder.attachment(a.content_type.clone(), a.file_name.clone(), a.bytes.clone());
    }
    builder.write_to_vec().map_err(|e| Error::LetterOutput {
        format: "email",
        source: e.into(),
    })
}
