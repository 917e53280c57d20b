//! Reads tfjs "weights manifest" files: a JSON list of tensor specs plus one flat little-endian `.bin`.
//! Most tensors are uint8-quantised per tensor and dequantised as `q * scale + min` (tfjs-core `decodeWeight`).

use std::collections::HashMap;

use serde::Deserialize;

use crate::FaceError;

#[derive(Debug, Deserialize)]
struct ManifestGroup {
    weights: Vec<WeightSpec>,
}

#[derive(Debug, Deserialize)]
struct WeightSpec {
    name: String,
    shape: Vec<usize>,
    dtype: String,
    quantization: Option<Quantization>,
}

#[derive(Debug, Deserialize)]
struct Quantization {
    dtype: String,
    scale: Option<f64>,
    min: Option<f64>,
}

/// One dequantised tensor in the manifest's own (NHWC / HWIO) layout.
#[derive(Debug, Clone)]
pub(crate) struct RawTensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// All tensors of one model, by name.
#[derive(Debug)]
pub(crate) struct WeightMap {
    file: &'static str,
    tensors: HashMap<String, RawTensor>,
}

impl WeightMap {
    /// Parses `manifest` and dequantises `bin`; the byte count must match exactly.
    pub fn parse(file: &'static str, manifest: &[u8], bin: &[u8]) -> Result<Self, FaceError> {
        let malformed = |reason: String| FaceError::ModelFormat { file, reason };
        let groups: Vec<ManifestGroup> = serde_json::from_slice(manifest)
            .map_err(|e| malformed(format!("manifest JSON: {e}")))?;
        let mut tensors = HashMap::new();
        let mut offset = 0usize;
        for spec in groups.into_iter().flat_map(|group| group.weights) {
            let count: usize = spec.shape.iter().product();
            let (bytes_per_value, quantization) = match &spec.quantization {
                Some(q) => match q.dtype.as_str() {
                    "uint8" => (1, Some(q)),
                    "uint16" => (2, Some(q)),
                    "float16" => (2, Some(q)),
                    other => {
                        return Err(malformed(format!(
                            "{}: unknown quantisation {other}",
                            spec.name
                        )))
                    }
                },
                None => (4, None),
            };
            let size = count * bytes_per_value;
            let bytes = bin
                .get(offset..offset + size)
                .ok_or_else(|| malformed(format!("{}: .bin ends early", spec.name)))?;
            offset += size;
            let values = decode_values(&spec, quantization, bytes).map_err(malformed)?;
            tensors.insert(
                spec.name,
                RawTensor {
                    shape: spec.shape,
                    values,
                },
            );
        }
        if offset != bin.len() {
            return Err(malformed(format!(
                "{} bytes left over in .bin",
                bin.len() - offset
            )));
        }
        Ok(WeightMap { file, tensors })
    }

    /// The tensor `name`, checked against the shape the network expects.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<&RawTensor, FaceError> {
        let tensor = self
            .tensors
            .get(name)
            .ok_or_else(|| FaceError::ModelFormat {
                file: self.file,
                reason: format!("missing tensor {name}"),
            })?;
        if tensor.shape != shape {
            return Err(FaceError::ModelFormat {
                file: self.file,
                reason: format!(
                    "tensor {name} has shape {:?}, expected {shape:?}",
                    tensor.shape
                ),
            });
        }
        Ok(tensor)
    }

    /// Like [`WeightMap::get`], returning the values only.
    pub fn values(&self, name: &str, shape: &[usize]) -> Result<&[f32], FaceError> {
        Ok(&self.get(name, shape)?.values)
    }
}

fn decode_values(
    spec: &WeightSpec,
    quantization: Option<&Quantization>,
    bytes: &[u8],
) -> Result<Vec<f32>, String> {
    let is_int = spec.dtype == "int32";
    match quantization {
        None => Ok(bytes
            .chunks_exact(4)
            .map(|b| {
                let raw = [b[0], b[1], b[2], b[3]];
                if is_int {
                    i32::from_le_bytes(raw) as f32
                } else {
                    f32::from_le_bytes(raw)
                }
            })
            .collect()),
        Some(q) if q.dtype == "float16" => Ok(bytes
            .chunks_exact(2)
            .map(|b| half_to_f32(u16::from_le_bytes([b[0], b[1]])))
            .collect()),
        Some(q) => {
            let scale = q
                .scale
                .ok_or_else(|| format!("{}: quantisation without scale", spec.name))?;
            let min = q
                .min
                .ok_or_else(|| format!("{}: quantisation without min", spec.name))?;
            // tfjs computes in double precision and stores f32; integer tensors are rounded.
            let dequantise = |q: f64| {
                let v = q * scale + min;
                if is_int {
                    v.round() as f32
                } else {
                    v as f32
                }
            };
            Ok(if q.dtype == "uint8" {
                bytes.iter().map(|&b| dequantise(f64::from(b))).collect()
            } else {
                bytes
                    .chunks_exact(2)
                    .map(|b| dequantise(f64::from(u16::from_le_bytes([b[0], b[1]]))))
                    .collect()
            })
        }
    }
}

/// IEEE 754 half precision to f32 (none of the bundled face-api models use it, but the format allows it).
fn half_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((h >> 10) & 0x1f);
    let mantissa = f32::from(h & 0x3ff);
    match exponent {
        0 => sign * mantissa * 2f32.powi(-24),
        31 if mantissa == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        e => sign * (1.0 + mantissa / 1024.0) * 2f32.powi(e - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dequantises_uint8_and_checks_size() {
        let manifest = br#"[{"paths":["x.bin"],"weights":[
            {"name":"a","shape":[2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1.0}},
            {"name":"b","shape":[],"dtype":"float32"}]}]"#;
        let mut bin = vec![0u8, 4];
        bin.extend_from_slice(&2.5f32.to_le_bytes());
        let map = WeightMap::parse("test", manifest, &bin).unwrap();
        assert_eq!(map.values("a", &[2]).unwrap(), &[-1.0, 1.0]);
        assert_eq!(map.values("b", &[]).unwrap(), &[2.5]);
        assert!(map.values("a", &[3]).is_err());
        bin.push(0);
        assert!(WeightMap::parse("test", manifest, &bin).is_err());
    }

    #[test]
    fn half_precision() {
        assert_eq!(half_to_f32(0x3c00), 1.0);
        assert_eq!(half_to_f32(0xc000), -2.0);
        assert_eq!(half_to_f32(0x0000), 0.0);
    }
}
