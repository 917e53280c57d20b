//! The face engine: decode, downscale, detect, landmarks, align, describe, estimate age.

use std::path::Path;
use std::time::{Duration, Instant};

use image::{DynamicImage, GenericImageView, RgbImage};

use crate::age::AgeNet;
use crate::align::{
    dlib_aligned_rect, landmark_crop, landmarks_in_image, min_box_rect, CropRect, PixelBox,
};
use crate::decode::{decode_image, DecodeLimits};
use crate::landmarks::LandmarkNet;
use crate::models;
use crate::ops::downscale::resize_triangle;
use crate::ops::image_prep::RgbF32;
use crate::recognition::{self, RecognitionNet};
use crate::ssd::SsdMobilenet;
use crate::{BBox, Descriptor, Face, FaceError};

/// Tunables of [`FaceEngine`]; the defaults are face-api's plus the 1024-px downscale.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// Detections at or below this score are dropped (face-api `minConfidence`).
    pub min_score: f32,
    /// At most this many faces per image (face-api `maxResults`).
    pub max_faces: usize,
    /// Images whose long side exceeds this are downscaled first (`None`: never). The nets see at
    /// most 512 px anyway, so full resolution only costs time.
    pub max_long_side: Option<u32>,
    /// Limits for [`FaceEngine::detect_bytes`] and [`FaceEngine::detect_file`].
    pub decode_limits: DecodeLimits,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            min_score: 0.5,
            max_faces: 100,
            max_long_side: Some(1024),
            decode_limits: DecodeLimits::default(),
        }
    }
}

/// Recognition inputs run in batches of at most this many faces, which bounds im2col memory.
const RECOGNITION_BATCH: usize = 8;

/// The loaded networks. Load once and share (it is `Send + Sync`); every call is independent.
#[derive(Debug)]
pub struct FaceEngine {
    ssd: SsdMobilenet,
    landmarks: LandmarkNet,
    recognition: RecognitionNet,
    age: AgeNet,
    options: EngineOptions,
}

impl FaceEngine {
    /// Loads the bundled weights after checking their SHA-256.
    pub fn load() -> Result<FaceEngine, FaceError> {
        FaceEngine::with_options(EngineOptions::default())
    }

    /// Like [`FaceEngine::load`] with explicit options.
    pub fn with_options(options: EngineOptions) -> Result<FaceEngine, FaceError> {
        Ok(FaceEngine {
            ssd: SsdMobilenet::load(&models::SSD_MOBILENET_V1.load()?)?,
            landmarks: LandmarkNet::load(&models::LANDMARK_68.load()?)?,
            recognition: RecognitionNet::load(&models::RECOGNITION.load()?)?,
            age: AgeNet::load(&models::AGE_GENDER.load()?)?,
            options,
        })
    }

    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    pub(crate) fn ssd(&self) -> &SsdMobilenet {
        &self.ssd
    }
    pub(crate) fn landmark_net(&self) -> &LandmarkNet {
        &self.landmarks
    }
    pub(crate) fn recognition_net(&self) -> &RecognitionNet {
        &self.recognition
    }
    pub(crate) fn age_net(&self) -> &AgeNet {
        &self.age
    }

    /// Decodes (bounded, EXIF-oriented) and detects.
    pub fn detect_bytes(&self, bytes: &[u8]) -> Result<Vec<Face>, FaceError> {
        self.detect(&decode_image(bytes, &self.options.decode_limits)?)
    }

    /// Reads, decodes (bounded, EXIF-oriented) and detects.
    pub fn detect_file(&self, path: &Path) -> Result<Vec<Face>, FaceError> {
        let io_error = |source| FaceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let size = std::fs::metadata(path).map_err(io_error)?.len();
        if size > self.options.decode_limits.max_file_bytes {
            return Err(FaceError::FileTooLarge {
                size,
                max: self.options.decode_limits.max_file_bytes,
            });
        }
        let bytes = std::fs::read(path).map_err(io_error)?;
        self.detect_bytes(&bytes)
    }

    /// All faces in `image`, coordinates in `image`'s pixels, best score first.
    pub fn detect(&self, image: &DynamicImage) -> Result<Vec<Face>, FaceError> {
        let (width, height) = image.dimensions();
        if width == 0 || height == 0 {
            return Err(FaceError::ZeroSize { width, height });
        }
        let prepared = prepare_image(image, self.options.max_long_side);
        let mut faces = self.detect_rgb(&prepared)?;
        if prepared.dimensions() != (width, height) {
            let sx = width as f32 / prepared.width() as f32;
            let sy = height as f32 / prepared.height() as f32;
            for face in &mut faces {
                face.bbox = BBox {
                    x: face.bbox.x * sx,
                    y: face.bbox.y * sy,
                    width: face.bbox.width * sx,
                    height: face.bbox.height * sy,
                };
                for p in &mut face.landmarks {
                    *p = [p[0] * sx, p[1] * sy];
                }
            }
        }
        Ok(faces)
    }

    /// face-api's `detectAllFaces().withFaceLandmarks().withFaceDescriptors().withAgeAndGender()`
    /// on exactly these pixels (no downscaling): the path the golden tests pin.
    pub fn detect_rgb(&self, image: &RgbImage) -> Result<Vec<Face>, FaceError> {
        self.detect_rgb_timed(image, &mut StageTimes::default())
    }

    /// [`FaceEngine::detect_rgb`], adding the time of each stage to `times` (for the benchmark).
    pub fn detect_rgb_timed(
        &self,
        image: &RgbImage,
        times: &mut StageTimes,
    ) -> Result<Vec<Face>, FaceError> {
        let (width, height) = image.dimensions();
        if width == 0 || height == 0 {
            return Err(FaceError::ZeroSize { width, height });
        }
        let started = Instant::now();
        let detections = self
            .ssd
            .detect(image, self.options.min_score, self.options.max_faces)?;
        times.ssd += started.elapsed();

        struct Pending {
            score: f32,
            detection: PixelBox,
            landmarks: Vec<[f64; 2]>,
            aligned: CropRect,
            age: f32,
        }
        let mut pending = Vec::new();
        for d in detections {
            let detection = PixelBox {
                x: d.x,
                y: d.y,
                width: d.width,
                height: d.height,
            };
            let Some(crop) = landmark_crop(detection, width, height) else {
                continue;
            };
            let started = Instant::now();
            let relative = self.landmarks.landmarks_relative(&RgbF32::crop(
                image,
                crop.x,
                crop.y,
                crop.width,
                crop.height,
            ))?;
            let landmarks = landmarks_in_image(&relative, crop, detection);
            times.landmarks += started.elapsed();
            let Some(aligned) = dlib_aligned_rect(&landmarks, crop.width, crop.height)
                .clip_at_image_borders(width, height)
            else {
                continue;
            };
            let started = Instant::now();
            let age = match min_box_rect(&landmarks, width, height)
                .clip_at_image_borders(width, height)
            {
                Some(r) => self
                    .age
                    .age(&RgbF32::crop(image, r.x, r.y, r.width, r.height))?,
                None => 0.0,
            };
            times.age += started.elapsed();
            pending.push(Pending {
                score: d.score,
                detection,
                landmarks,
                aligned,
                age,
            });
        }

        let mut faces = Vec::with_capacity(pending.len());
        let started = Instant::now();
        for chunk in pending.chunks(RECOGNITION_BATCH) {
            let inputs: Vec<RgbF32> = chunk
                .iter()
                .map(|p| {
                    let r = p.aligned;
                    RgbF32::crop(image, r.x, r.y, r.width, r.height)
                        .to_batch_input(recognition::INPUT_SIZE, true)
                })
                .collect();
            let descriptors = self.recognition.forward_batch(&inputs)?;
            for (p, descriptor) in chunk.iter().zip(descriptors) {
                faces.push(Face {
                    bbox: BBox {
                        x: p.detection.x as f32,
                        y: p.detection.y as f32,
                        width: p.detection.width as f32,
                        height: p.detection.height as f32,
                    },
                    score: p.score,
                    landmarks: p
                        .landmarks
                        .iter()
                        .map(|q| [q[0] as f32, q[1] as f32])
                        .collect(),
                    descriptor: Descriptor(descriptor),
                    age: p.age,
                });
            }
        }
        times.recognition += started.elapsed();
        times.images += 1;
        times.faces += faces.len();
        Ok(faces)
    }
}

/// RGB8 pixels the engine runs on: alpha dropped, long side at most `max_long_side` (triangle filter).
pub fn prepare_image(image: &DynamicImage, max_long_side: Option<u32>) -> RgbImage {
    let (width, height) = image.dimensions();
    let long = width.max(height);
    match max_long_side {
        Some(max) if long > max && max > 0 => {
            let scale = f64::from(max) / f64::from(long);
            let w = ((f64::from(width) * scale).round() as u32).max(1);
            let h = ((f64::from(height) * scale).round() as u32).max(1);
            match image.as_rgb8() {
                Some(rgb) => resize_triangle(rgb, w, h),
                None => resize_triangle(&image.to_rgb8(), w, h),
            }
        }
        _ => image.to_rgb8(),
    }
}

impl FaceEngine {
    /// Detects faces in many files with `workers` threads (one single-threaded worker per core is
    /// fastest: candle's own threading gains nothing on these small nets). Results keep input order.
    pub fn detect_files(
        &self,
        paths: &[std::path::PathBuf],
        workers: usize,
    ) -> Vec<Result<Vec<Face>, FaceError>> {
        parallel_map(paths, workers, |path| self.detect_file(path))
    }

    /// The descriptor of an image that already is an aligned face crop (as face-api's
    /// `computeFaceDescriptor` on a crop): padded to a square, resized to 150, no detection.
    pub fn describe_aligned(&self, image: &DynamicImage) -> Result<Descriptor, FaceError> {
        let (width, height) = image.dimensions();
        if width == 0 || height == 0 {
            return Err(FaceError::ZeroSize { width, height });
        }
        let rgb = image.to_rgb8();
        let input =
            RgbF32::crop(&rgb, 0, 0, width, height).to_batch_input(recognition::INPUT_SIZE, true);
        let mut out = self.recognition.forward_batch(&[input])?;
        Ok(Descriptor(out.pop().unwrap_or_default()))
    }
}

/// `f` over `items` on `workers` scoped threads, results in input order.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = workers.clamp(1, items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let result = f(item);
                if let Ok(mut done) = done.lock() {
                    done.push((i, result));
                }
            });
        }
    });
    let mut done = done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Workers to use for batch work: the machine's cores.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Time spent per stage, summed over calls (see [`FaceEngine::detect_rgb_timed`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    pub ssd: Duration,
    pub landmarks: Duration,
    pub age: Duration,
    pub recognition: Duration,
    pub images: usize,
    pub faces: usize,
}

impl std::ops::AddAssign for StageTimes {
    fn add_assign(&mut self, other: StageTimes) {
        self.ssd += other.ssd;
        self.landmarks += other.landmarks;
        self.age += other.age;
        self.recognition += other.recognition;
        self.images += other.images;
        self.faces += other.faces;
    }
}
