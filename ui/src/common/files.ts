/**
 * Reading a picked photo for the core. The bytes go to Rust as base64 (the IPC carries JSON) and
 * are never written anywhere by the window; previews use in-memory object URLs that are revoked
 * when no longer shown.
 */

/** Largest photo the window will read (the core refuses larger ones too). */
export const MAX_PHOTO_BYTES = 64 * 1024 * 1024;

export class PhotoTooLarge extends Error {
  constructor(name: string) {
    super(`${name} is larger than 64 MB; use a smaller copy.`);
  }
}

/** The file's bytes as base64, without the `data:` prefix. */
export function readAsBase64(file: File): Promise<string> {
  if (file.size > MAX_PHOTO_BYTES) return Promise.reject(new PhotoTooLarge(file.name));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error(`${file.name} could not be read.`));
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.readAsDataURL(file);
  });
}

/** Keeps only image files, so a stray document in a multi-selection is named, not sent. */
export function splitImages(files: Iterable<File>): { images: File[]; others: File[] } {
  const images: File[] = [];
  const others: File[] = [];
  for (const f of files) (f.type.startsWith("image/") || f.type === "" ? images : others).push(f);
  return { images, others };
}
