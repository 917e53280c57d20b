//! The face engine: decode, downscale, detect, landmarks, align, describe, estimate age.

use std::path::Path;

use image::{DynamicImage, GenericImageView, RgbImage};

use crate::age::AgeNet;
use crate::align::{
    dlib_aligned_rect, landmark_crop, landmarks_in_image, min_box_rect, CropRect, PixelBox,
};
use crate::decode::{decode_image, DecodeLimits};
use crate::landmarks::LandmarkNet;
use crate::models;
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
        let (width, height) = image.dimensions();
        if width == 0 || height == 0 {
            return Err(FaceError::ZeroSize { width, height });
        }
        let full = RgbF32::crop(image, 0, 0, width, height);
        let detections = self
            .ssd
            .detect(&full, self.options.min_score, self.options.max_faces)?;
        drop(full);

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
            let relative = self.landmarks.landmarks_relative(&RgbF32::crop(
                image,
                crop.x,
                crop.y,
                crop.width,
                crop.height,
            ))?;
            let landmarks = landmarks_in_image(&relative, crop, detection);
            let Some(aligned) = dlib_aligned_rect(&landmarks, crop.width, crop.height)
                .clip_at_image_borders(width, height)
            else {
                continue;
            };
            let age = match min_box_rect(&landmarks, width, height)
                .clip_at_image_borders(width, height)
            {
                Some(r) => self
                    .age
                    .age(&RgbF32::crop(image, r.x, r.y, r.width, r.height))?,
                None => 0.0,
            };
            pending.push(Pending {
                score: d.score,
                detection,
                landmarks,
                aligned,
                age,
            });
        }

        let mut faces = Vec::with_capacity(pending.len());
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
            image::imageops::resize(
                &image.to_rgb8(),
                w,
                h,
                image::imageops::FilterType::Triangle,
            )
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
        let workers = workers.clamp(1, paths.len().max(1));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut results: Vec<Option<Result<Vec<Face>, FaceError>>> = Vec::new();
        results.resize_with(paths.len(), || None);
        let slots = std::sync::Mutex::new(results);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let result = self.detect_file(path);
                    if let Ok(mut slots) = slots.lock() {
                        slots[i] = Some(result);
                    }
                });
            }
        });
        slots
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(FaceError::Tensor("worker thread stopped".into()))))
            .collect()
    }
}

/// Workers to use for batch work: the machine's cores.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}
