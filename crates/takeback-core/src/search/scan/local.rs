//! The local sources of a scan: a site crawled on this device, or a folder walked. Nothing is
//! uploaded; every image is checked by the face engine and PDQ against the owner's reference.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::mpsc;
use url::Url;

use super::jobs::{self, Counts};
use super::problem::{has_internet_route, FolderProblem, ProblemWhy, SourceProblem};
use super::{Execution, ScanPhase};
use crate::base::error::storage;
use crate::face::matching::{self, OwnerReference, Verdict};
use crate::search::crawl::{self, CandidateImage, CrawlCounters, CrawlLimits};
use crate::search::findings::{self, Evidence, SeenBy, Sighting};
use crate::search::sources::{Source, SourceTarget};
use crate::Result;

/// Images waiting between the crawler and the face engine: memory stays bounded however large
/// the site, and the crawler waits while the engine is busy.
const IMAGE_QUEUE: usize = 4;

/// Bounds of a folder walk.
const MAX_FOLDER_FILES: usize = 100_000;
const MAX_FOLDER_DEPTH: usize = 32;

/// Scans one source. The outer error is the vault failing; the inner one a source that could
/// not be scanned (unreachable site, missing folder), which the summary reports.
pub(crate) fn scan_source(
    execution: &mut Execution<'_, '_>,
    source: &Source,
    reference: &OwnerReference,
    allow_local_network: bool,
) -> Result<Result<(), SourceProblem>> {
    let item = format!("source:{}", source.id);
    if jobs::is_done(execution.ctx.vault.conn(), execution.job_id, &item)? {
        return Ok(Ok(()));
    }
    // The pages of a site are counted once it is done: a resumed crawl fetches them again.
    let outcome = match &source.target {
        SourceTarget::Site {
            url,
            max_depth,
            max_pages,
            interval_ms,
        } => {
            let limits = CrawlLimits {
                max_depth: *max_depth,
                max_pages: *max_pages,
                per_host_interval: Duration::from_millis((*interval_ms).into()),
                allow_local_network,
                proxy: execution.ctx.settings.proxy(),
                ..CrawlLimits::default()
            };
            scan_site(execution, source.id, url, limits, reference)?
        }
        SourceTarget::Folder { path } => {
            scan_folder(execution, source.id, Path::new(path), reference)?.map(|()| 0)
        }
    };
    if let Ok(pages) = outcome {
        if execution.cancel.is_cancelled() {
            // Shown in this run's summary only; the resumed job counts the site when done.
            execution.totals.pages += pages;
        } else {
            let counts = Counts {
                pages,
                ..Counts::default()
            };
            let tx = execution.ctx.vault.conn();
            jobs::mark_done(tx, execution.job_id, &item, counts, execution.now())?;
            execution.totals.pages += pages;
        }
    }
    Ok(outcome.map(|_pages| ()))
}

/// Crawls one site and checks its images; returns the pages fetched.
fn scan_site(
    execution: &mut Execution<'_, '_>,
    source_id: i64,
    url: &str,
    limits: CrawlLimits,
    reference: &OwnerReference,
) -> Result<Result<u64, SourceProblem>> {
    let start = match crawl::parse_start_url(url) {
        Ok(start) => start,
        Err(e) => {
            return Ok(Err(SourceProblem::site(
                source_id,
                url,
                &e,
                has_internet_route,
            )))
        }
    };
    let phase = ScanPhase::Site {
        source_id,
        url: url.to_owned(),
    };
    execution.emit(phase.clone(), 0, None);
    let done = std::sync::Arc::new(jobs::done_items(
        execution.ctx.vault.conn(),
        execution.job_id,
        "image:",
    )?);
    let counters = std::sync::Arc::new(CrawlCounters::default());
    // The site as last visited: unchanged pages and images cost a 304, and an image with the
    // same bytes is not checked again (unless what images are checked against changed).
    let stamp = super::memory::reference_stamp(execution.ctx.vault.conn())?;
    let memory = super::memory::load(execution.ctx.vault.conn(), source_id, &stamp)?;
    let (sender, mut receiver) = mpsc::channel::<CandidateImage>(IMAGE_QUEUE);
    let visited_at = execution.now();
    let crawl = {
        let counters = counters.clone();
        let cancel = execution.cancel.clone();
        let done = done.clone();
        execution.runtime.spawn(async move {
            // A resumed job does not download again the images it already checked.
            let already_checked = move |url: &Url| {
                done.contains(&format!("image:{}", findings::url_key(url.as_str())))
            };
            let visit = crawl::Visit {
                counters: &counters,
                already_checked: &already_checked,
                memory: &memory,
                now: visited_at,
            };
            crawl::crawl_site_remembering(start, limits, sender, &cancel, &visit).await
        })
    };
    let pages_now = || u64::from(counters.pages_fetched.load(Ordering::Relaxed));
    while let Some(candidate) = receiver.blocking_recv() {
        if execution.cancel.is_cancelled() {
            break;
        }
        let item = format!("image:{}", findings::url_key(candidate.image_url.as_str()));
        if done.contains(&item) {
            continue;
        }
        let counts = Counts {
            pages: 0,
            images: 1,
            hits: 0,
        };
        check_and_record(
            execution,
            &item,
            candidate.image_url.as_str(),
            Some(candidate.page_url.as_str()),
            SeenBy::SiteWatch,
            &candidate.bytes,
            reference,
            counts,
        )?;
        execution.emit(phase.clone(), pages_now(), None);
    }
    drop(receiver);
    let report = execution
        .runtime
        .block_on(crawl)
        .map_err(|e| crate::Error::Network {
            what: "the site crawl".into(),
            reason: e.to_string(),
            source: Some(e.into()),
        })?;
    let pages = pages_now();
    execution.emit(phase, pages, None);
    match report {
        Ok((report, remembered)) => {
            if !report.cancelled && !execution.cancel.is_cancelled() {
                super::memory::save(execution.ctx.vault.conn(), source_id, &remembered, &stamp)?;
            }
            Ok(Ok(pages))
        }
        Err(e) => Ok(Err(SourceProblem::site(
            source_id,
            url,
            &e,
            has_internet_route,
        ))),
    }
}

/// Checks one image and, in one transaction, records the finding (when it is a hit), marks the
/// step done and adds to the counters.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_and_record(
    execution: &mut Execution<'_, '_>,
    item: &str,
    image_url: &str,
    page_url: Option<&str>,
    seen_by: SeenBy,
    bytes: &[u8],
    reference: &OwnerReference,
    mut counts: Counts,
) -> Result<Verdict> {
    // An image the engine cannot read is checked and not a hit; nothing more to learn from it.
    let check = matching::check_image(execution.ctx.engine, reference, bytes).ok();
    let verdict = check.as_ref().map_or(Verdict::NoMatch, |c| c.verdict);
    let now = execution.now();
    let vault = execution.ctx.vault;
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    if let Some(check) = check.as_ref().filter(|c| c.verdict.is_hit()) {
        findings::record(
            vault,
            &tx,
            &Sighting {
                image_url,
                page_url,
                seen_by,
                provider_score: None,
                evidence: Evidence::Checked { check, bytes },
            },
            Some(execution.job_id),
            now,
        )?;
        counts.hits += 1;
    }
    jobs::mark_done(&tx, execution.job_id, item, counts, now)?;
    tx.commit()
        .map_err(|e| storage("recording a scanned image", e))?;
    execution.totals.pages += counts.pages;
    execution.totals.images += counts.images;
    execution.totals.hits += counts.hits;
    Ok(verdict)
}

fn scan_folder(
    execution: &mut Execution<'_, '_>,
    source_id: i64,
    dir: &Path,
    reference: &OwnerReference,
) -> Result<Result<(), SourceProblem>> {
    let phase = ScanPhase::Folder {
        source_id,
        path: dir.display().to_string(),
    };
    execution.emit(phase.clone(), 0, None);
    let files = match image_files(dir) {
        Ok(files) => files,
        Err(reason) => return Ok(Err(SourceProblem::folder(source_id, dir, &reason))),
    };
    let done = jobs::done_items(execution.ctx.vault.conn(), execution.job_id, "file:")?;
    let max_bytes = execution.ctx.engine.options().decode_limits.max_file_bytes;
    for path in files {
        if execution.cancel.is_cancelled() {
            break;
        }
        let Ok(url) = Url::from_file_path(&path) else {
            continue;
        };
        let item = format!("file:{url}");
        if done.contains(&item) {
            continue;
        }
        let too_large = std::fs::metadata(&path).map_or(true, |m| m.len() > max_bytes);
        let bytes = if too_large {
            Vec::new()
        } else {
            std::fs::read(&path).unwrap_or_default()
        };
        let counts = Counts {
            images: 1,
            ..Counts::default()
        };
        check_and_record(
            execution,
            &item,
            url.as_str(),
            None,
            SeenBy::FolderScan,
            &bytes,
            reference,
            counts,
        )?;
        execution.emit(phase.clone(), 0, None);
    }
    Ok(Ok(()))
}

/// Image files under `dir` (by content sniffing of the first bytes), in a stable order; symbolic
/// links are not followed, so the walk cannot loop or leave the folder.
fn image_files(dir: &Path) -> Result<Vec<PathBuf>, FolderProblem> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_owned(), 0usize)];
    let mut first = true;
    while let Some((folder, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if first => {
                let why = match e.kind() {
                    std::io::ErrorKind::NotFound => ProblemWhy::FolderMissing,
                    std::io::ErrorKind::PermissionDenied => ProblemWhy::FolderNotAllowed,
                    _ => ProblemWhy::FolderUnreadable,
                };
                let detail = (why == ProblemWhy::FolderUnreadable).then(|| e.to_string());
                return Err(FolderProblem { why, detail });
            }
            Err(_) => continue,
        };
        first = false;
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && depth < MAX_FOLDER_DEPTH {
                stack.push((entry.path(), depth + 1));
            } else if kind.is_file() && looks_like_image_file(&entry.path()) {
                out.push(entry.path());
                if out.len() >= MAX_FOLDER_FILES {
                    return Ok(out);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

fn looks_like_image_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 32];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let n = file.read(&mut head).unwrap_or(0);
    crawl::looks_like_an_image(&head[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_walks_sniff_images_and_do_not_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let png = {
            let mut out = std::io::Cursor::new(Vec::new());
            image::RgbImage::new(4, 4)
                .write_to(&mut out, image::ImageFormat::Png)
                .unwrap();
            out.into_inner()
        };
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.png"), &png).unwrap();
        // A misleading name: the content decides.
        std::fs::write(dir.path().join("sub/a.jpg.txt"), &png).unwrap();
        std::fs::write(dir.path().join("fake.jpg"), b"<html>not an image</html>").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
        let found = image_files(dir.path()).unwrap();
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["b.png", "sub/a.jpg.txt"]);
        assert!(image_files(&dir.path().join("missing")).is_err());
    }
}
