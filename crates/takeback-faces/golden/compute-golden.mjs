// Golden reference for takeback-faces: runs @vladmandic/face-api 1.7.15 on tfjs 4.22 (WASM backend)
// over the exact RGB pixels the Rust engine sees, and writes what face-api finds.
//
// Input: a folder written by `cargo run --release -p takeback-faces --example golden_pixels -- DIR`
// (index.json + raw RGB files: every test image decoded and EXIF-oriented by the Rust code at full
// resolution, plus the generated large photos, so both sides see identical pixels).
//
//   node compute-golden.mjs --pixels pixels --out golden.json   # the committed fixture
//   node compute-golden.mjs --pixels pixels --bench 1           # timing only (benchmark)
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const pixelsDir = path.resolve(args.pixels ?? path.join(here, 'pixels'));
const benchRounds = Number(args.bench ?? 0);

const t0 = performance.now();
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;
const wasm = require('@tensorflow/tfjs-backend-wasm');
wasm.setWasmPaths(path.join(here, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
await tf.setBackend('wasm');
await tf.ready();
const modelDir = path.join(here, 'node_modules/@vladmandic/face-api/model');
await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
await faceapi.nets.ageGenderNet.loadFromDisk(modelDir);
const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 });

const round = (v, digits = 6) => Number(v.toFixed(digits));
const index = JSON.parse(readFileSync(path.join(pixelsDir, 'index.json'), 'utf8'));

function imageTensor(entry) {
  const raw = readFileSync(path.join(pixelsDir, entry.raw));
  if (raw.length !== entry.width * entry.height * 3) throw new Error(`${entry.raw}: wrong size`);
  return tf.tensor3d(Int32Array.from(raw), [entry.height, entry.width, 3], 'int32');
}

async function detectAll(tensor) {
  return faceapi.detectAllFaces(tensor, options).withFaceLandmarks().withFaceDescriptors().withAgeAndGender();
}

if (benchRounds > 0) {
  // Whole-process timing for the benchmark: load above, then every image `benchRounds` times.
  const loaded = performance.now();
  let images = 0;
  for (let r = 0; r < benchRounds; r++) {
    for (const entry of index.images) {
      const tensor = imageTensor(entry);
      await detectAll(tensor);
      tensor.dispose();
      images++;
    }
  }
  const end = performance.now();
  console.log(JSON.stringify({ backend: tf.getBackend(), images, load_ms: round(loaded - t0, 1), run_ms: round(end - loaded, 1), total_ms: round(end - t0, 1), rss_mb: round(process.memoryUsage().rss / 1048576, 1) }));
  process.exit(0);
}

const images = [];
for (const entry of index.images) {
  const tensor = imageTensor(entry);
  const started = performance.now();
  const results = await detectAll(tensor);
  const ms = performance.now() - started;
  tensor.dispose();
  const faces = results.map((r) => ({
    score: r.detection.score,
    box: [r.detection.box.x, r.detection.box.y, r.detection.box.width, r.detection.box.height],
    landmarks: r.landmarks.positions.map((p) => [round(p.x, 4), round(p.y, 4)]),
    aligned_rect: (() => { const b = r.landmarks.align(null, { useDlibAlignment: true }); return [b.x, b.y, b.width, b.height]; })(),
    descriptor: Array.from(r.descriptor),
    age: r.age,
  }));
  images.push({ file: entry.file, width: entry.width, height: entry.height, rgb_sha256: entry.rgb_sha256, ms: round(ms, 1), faces });
  console.error(`${entry.file}: ${faces.length} faces, ${ms.toFixed(0)} ms`);
}

// Each network alone on the synthetic pattern the Rust tests also build.
function synthetic(size) {
  const data = new Int32Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
    data[(y * size + x) * 3 + c] = (7 * x + 13 * y + 29 * c + ((x * y) % 17)) % 256;
  }
  return tf.tensor3d(data, [size, size, 3], 'int32');
}
const ssdIn = synthetic(512);
const ssdOut = await faceapi.nets.ssdMobilenetv1.forward(ssdIn);
const scores = Array.from(await ssdOut.scores[0].data());
const boxes = await ssdOut.boxes[0].array();
const top = scores.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0]).slice(0, 20).map(([, i]) => i);
const lmIn = synthetic(112);
const lmOut = Array.from(await faceapi.nets.faceLandmark68Net.forwardInput(await faceapi.toNetInput(lmIn)).data());
const recIn = synthetic(150);
const recOut = Array.from(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(recIn));
const ageOut = await faceapi.nets.ageGenderNet.predictAgeAndGender(synthetic(112));

const golden = {
  generator: 'crates/takeback-faces/golden/compute-golden.mjs',
  packages: { '@vladmandic/face-api': faceapi.version, tfjs: tf.version_core, backend: tf.getBackend() },
  options: { minConfidence: 0.5, maxResults: 100 },
  images,
  unit: {
    ssd_512: { scores, top_anchors: top, top_boxes: top.map((i) => boxes[i]) },
    landmarks_112: lmOut,
    recognition_150: recOut,
    age_112: ageOut.age,
  },
};
writeFileSync(args.out ?? path.join(here, 'golden.json'), `${JSON.stringify(golden)}\n`);
console.error(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
