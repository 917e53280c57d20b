//! The face engine: decode, detect, landmarks, align, describe, estimate age.
//!
//! Every stage reads the image at its full resolution, as face-api does: the SSD input is sampled
//! straight from the original pixels (face-api's pad-to-square and legacy bilinear resize to 512,
//! which only reads the 512 x 512 sample points), and each face's landmark, age and recognition
//! crops are resized from the original pixels. So a 12-MP photo gives face-api's own results, and
//! costs little more than a small one beyond its decoding.

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
use crate::ops::image_prep::{batch_input_rgb8_region, RgbF32};
use crate::ops::Products;
use crate::recognition::{self, RecognitionNet};
use crate::ssd::SsdMobilenet;
use crate::tiles::{self, TilePass};
use crate::{BBox, Descriptor, Face, FaceError};

/// Tunables of [`FaceEngine`]; the defaults are face-api's.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// Detections at or below this score are dropped (face-api `minConfidence`).
    pub min_score: f32,
    /// At most this many faces per image (face-api `maxResults`).
    pub max_faces: usize,
    /// Limits for [`FaceEngine::detect_bytes`] and [`FaceEngine::detect_file`].
    pub decode_limits: DecodeLimits,
    /// Also look for small faces in overlapping tiles of large images (see `tiles.rs`). `None`:
    /// the engine is face-api exactly; on, it finds every face face-api finds, with the same
    /// boxes, plus small faces in large photos.
    pub small_faces: Option<TilePass>,
    /// How the detector multiplies; the other networks always run in f32.
    pub detector: DetectorArithmetic,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            min_score: 0.5,
            max_faces: 100,
            small_faces: Some(TilePass::default()),
            decode_limits: DecodeLimits::default(),
            detector: DetectorArithmetic::Fast,
        }
    }
}

/// The arithmetic of the detector's backbone products (90 % of its work).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectorArithmetic {
    /// f32 throughout: face-api's numbers to float precision.
    Exact,
    /// bf16 products with f32 sums where the CPU has AVX-512 BF16 (`ops::bf16`), about 1.4x
    /// faster on the detector; f32 elsewhere. The same faces, boxes within IoU 0.98 of face-api's
    /// (`tests/golden.rs`).
    Fast,
}

impl DetectorArithmetic {
    /// Whether this CPU runs the detector in bf16 under this choice.
    pub fn uses_bf16(self) -> bool {
        self == DetectorArithmetic::Fast && crate::ops::bf16::supported()
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

    /// One engine with the default options for the whole process, loaded on first use: for code
    /// that needs the networks without being handed an engine (the enrollment quality check
    /// re-describes doubtful photos).
    pub fn shared() -> Result<&'static FaceEngine, FaceError> {
        static SHARED: std::sync::OnceLock<FaceEngine> = std::sync::OnceLock::new();
        if let Some(engine) = SHARED.get() {
            return Ok(engine);
        }
        let engine = FaceEngine::load()?;
        Ok(SHARED.get_or_init(|| engine))
    }

    /// Like [`FaceEngine::load`] with explicit options.
    pub fn with_options(options: EngineOptions) -> Result<FaceEngine, FaceError> {
        // The detector and the recognition net are each about half of the load (checksum,
        // dequantising, folding): on two threads the process starts sooner.
        let (ssd, recognition) = std::thread::scope(|s| {
            let ssd = s.spawn(|| {
                SsdMobilenet::load(
                    &models::SSD_MOBILENET_V1.load()?,
                    options.detector.uses_bf16(),
                )
            });
            let recognition = RecognitionNet::load(&models::RECOGNITION.load()?);
            let ssd = ssd
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok::<_, FaceError>((ssd?, recognition?))
        })?;
        Ok(FaceEngine {
            ssd,
            landmarks: LandmarkNet::load(&models::LANDMARK_68.load()?)?,
            recognition,
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
        match image.as_rgb8() {
            Some(rgb) => self.detect_rgb(rgb),
            None => self.detect_rgb(&prepare_image(image)),
        }
    }

    /// face-api's `detectAllFaces().withFaceLandmarks().withFaceDescriptors().withAgeAndGender()`
    /// on exactly these pixels (the path the golden tests pin), plus the small-face tile pass on
    /// large images when [`EngineOptions::small_faces`] is on.
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
        let mut detections = self.ssd.detect(
            image,
            self.options.min_score,
            self.options.max_faces,
            Products::Bf16IfLoaded,
        )?;
        times.ssd += started.elapsed();
        let whole_image_faces = detections.len();
        if let Some(pass) = &self.options.small_faces {
            let started = Instant::now();
            let from_tiles =
                tiles::detect_tiles(pass, &self.ssd, image, self.options.max_faces, &detections)?;
            detections = tiles::merge(detections, from_tiles, self.options.max_faces);
            times.tiles += started.elapsed();
        }

        struct Pending {
            score: f32,
            detection: PixelBox,
            landmarks: Vec<[f64; 2]>,
            aligned: CropRect,
            age: f32,
        }
        let mut pending = Vec::new();
        for (index, d) in detections.into_iter().enumerate() {
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
            let relative = self.landmarks.landmarks_relative(image, crop)?;
            let landmarks = landmarks_in_image(&relative, crop, detection);
            let unsteady = match &self.options.small_faces {
                // A tile detection under face-api's own threshold counts only if its landmarks
                // hold still (see `TilePass::steady_below`).
                Some(pass) if index >= whole_image_faces && d.score < pass.steady_below => {
                    self.landmark_drift(image, crop, &relative)? > pass.max_landmark_drift
                }
                _ => false,
            };
            times.landmarks += started.elapsed();
            if unsteady {
                continue;
            }
            let Some(aligned) = dlib_aligned_rect(&landmarks, crop.width, crop.height)
                .clip_at_image_borders(width, height)
            else {
                continue;
            };
            let started = Instant::now();
            let age = match min_box_rect(&landmarks, width, height)
                .clip_at_image_borders(width, height)
            {
                Some(r) => self.age.age(image, r)?,
                // Unknown: the core treats an age of 0 as possibly a minor's (fails closed).
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
                    batch_input_rgb8_region(
                        image,
                        (r.x, r.y, r.width, r.height),
                        recognition::INPUT_SIZE,
                        true,
                    )
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

/// The landmark crop moved by these fractions of its size for [`FaceEngine::landmark_drift`].
const DRIFT_SHIFTS: [(f64, f64); 4] = [(0.1, 0.0), (-0.1, 0.0), (0.0, 0.1), (0.0, -0.1)];

impl FaceEngine {
    /// How far the 68 landmarks move, in image pixels over the crop's side, when the landmark
    /// crop is shifted by a tenth of its size (mean over points, largest over four shifts). On
    /// a face the points stay on the eyes, nose and mouth; on something face-like (an ear, a
    /// bottle) the net has nothing to hold on to and its points move with the crop.
    fn landmark_drift(
        &self,
        image: &RgbImage,
        crop: CropRect,
        relative: &[[f32; 2]],
    ) -> Result<f64, FaceError> {
        let (width, height) = image.dimensions();
        let side = f64::from(crop.width.max(crop.height));
        let in_image = |rel: &[[f32; 2]], c: CropRect| -> Vec<[f64; 2]> {
            rel.iter()
                .map(|p| {
                    [
                        f64::from(p[0]) * f64::from(c.width) + f64::from(c.x),
                        f64::from(p[1]) * f64::from(c.height) + f64::from(c.y),
                    ]
                })
                .collect()
        };
        let here = in_image(relative, crop);
        let mut worst = 0.0f64;
        for (fx, fy) in DRIFT_SHIFTS {
            let x = (f64::from(crop.x) + fx * f64::from(crop.width)).round();
            let y = (f64::from(crop.y) + fy * f64::from(crop.height)).round();
            let x = x.clamp(0.0, f64::from(width - crop.width)) as u32;
            let y = y.clamp(0.0, f64::from(height - crop.height)) as u32;
            if x == crop.x && y == crop.y {
                continue;
            }
            let moved = CropRect { x, y, ..crop };
            let there = in_image(&self.landmarks.landmarks_relative(image, moved)?, moved);
            let mean = here
                .iter()
                .zip(&there)
                .map(|(a, b)| (a[0] - b[0]).hypot(a[1] - b[1]))
                .sum::<f64>()
                / here.len().max(1) as f64;
            worst = worst.max(mean / side);
        }
        Ok(worst)
    }
}

/// RGB8 pixels the engine runs on: alpha dropped, 16-bit reduced to 8, full resolution.
pub fn prepare_image(image: &DynamicImage) -> RgbImage {
    image.to_rgb8()
}

impl FaceEngine {
    /// Detects faces in many files with `workers` threads (one single-threaded worker per core is
    /// fastest: candle's own threading gains nothing on these small nets). Results keep input order.
    pub fn detect_files(
        &self,
        paths: &[std::path::PathBuf],
        workers: usize,
    ) -> Vec<Result<Vec<Face>, FaceError>> {
        // Largest files first: a large photo taken up last would leave the other workers idle
        // while it runs. Results come back in the order of `paths`.
        let mut order: Vec<usize> = (0..paths.len()).collect();
        order.sort_by_key(|&i| {
            std::cmp::Reverse(std::fs::metadata(&paths[i]).map_or(0, |m| m.len()))
        });
        let mut results = parallel_map(&order, workers, |&i| (i, self.detect_file(&paths[i])));
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, faces)| faces).collect()
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
    /// The small-face tile pass (SSD on tiles of large images).
    pub tiles: Duration,
    pub landmarks: Duration,
    pub age: Duration,
    pub recognition: Duration,
    pub images: usize,
    pub faces: usize,
}

impl std::ops::AddAssign for StageTimes {
    fn add_assign(&mut self, other: StageTimes) {
        self.ssd += other.ssd;
        self.tiles += other.tiles;
        self.landmarks += other.landmarks;
        self.age += other.age;
        self.recognition += other.recognition;
        self.images += other.images;
        self.faces += other.faces;
    }
}

/// Shifts and scales applied to a face's aligned square by [`FaceEngine::descriptor_stability`],
/// as fractions of its side: `(dx, dy, scale)`. About the size of the landmark jitter between two
/// shots of the same face; a photo whose descriptor moves far under them cannot be trusted to
/// match the same face in another photo.
const STABILITY_JITTER: [(f64, f64, f64); 6] = [
    (0.04, 0.0, 1.0),
    (-0.04, 0.0, 1.0),
    (0.0, 0.04, 1.0),
    (0.0, -0.04, 1.0),
    (0.0, 0.0, 1.06),
    (0.0, 0.0, 0.94),
];

impl FaceEngine {
    /// How far the descriptor of `face` (found in `image` by this engine) moves when its aligned
    /// square is shifted or scaled slightly: the largest distance over [`STABILITY_JITTER`]. Low
    /// (about 0.05-0.15 on sharp photos) means the descriptor is a reliable reference; high means
    /// blur, a tiny face or bad landmarks make it depend on exactly where the face was cut.
    /// Costs six recognition runs. A face without its 68 landmarks gives infinity.
    pub fn descriptor_stability(&self, image: &RgbImage, face: &Face) -> Result<f32, FaceError> {
        let (width, height) = image.dimensions();
        if face.landmarks.len() != 68 {
            // Without landmarks nothing says where the face is: not a usable reference.
            return Ok(f32::INFINITY);
        }
        let points: Vec<[f64; 2]> = face
            .landmarks
            .iter()
            .map(|p| [f64::from(p[0]), f64::from(p[1])])
            .collect();
        let square = dlib_aligned_rect(&points, width, height);
        let inputs: Vec<RgbF32> = STABILITY_JITTER
            .iter()
            .filter_map(|&(dx, dy, scale)| {
                let side = square.width.max(1.0) * scale;
                let (cx, cy) = (
                    square.x + square.width / 2.0 + dx * square.width,
                    square.y + square.height / 2.0 + dy * square.height,
                );
                let r = PixelBox {
                    x: (cx - side / 2.0).floor(),
                    y: (cy - side / 2.0).floor(),
                    width: side.floor(),
                    height: side.floor(),
                }
                .clip_at_image_borders(width, height)?;
                Some(batch_input_rgb8_region(
                    image,
                    (r.x, r.y, r.width, r.height),
                    recognition::INPUT_SIZE,
                    true,
                ))
            })
            .collect();
        if inputs.is_empty() {
            return Ok(f32::INFINITY);
        }
        let descriptors = self.recognition.forward_batch(&inputs)?;
        Ok(descriptors
            .into_iter()
            .map(|d| crate::distance(&Descriptor(d), &face.descriptor))
            .fold(0.0, f32::max))
    }
}
