/**
 * Reading a picked photo for the core. The bytes go to Rust as base64 (the IPC carries JSON) and
 * are never written anywhere by the window; previews use in-memory object URLs that are revoked
 * when no longer shown.
 */

import { coreLimits } from "./limits";

export class PhotoTooLarge extends Error {
  constructor(name: string, maxBytes: number) {
    super(`${name} is larger than ${Math.floor(maxBytes / (1024 * 1024))} MB; use a smaller copy.`);
  }
}

/**
 * The file's bytes as base64, without the `data:` prefix. A file over the core's photo bound is
 * refused before it is read, so a huge file never fills the window's memory.
 */
export async function readAsBase64(file: File): Promise<string> {
  const { max_photo_bytes } = await coreLimits();
  if (file.size > max_photo_bytes) throw new PhotoTooLarge(file.name, max_photo_bytes);
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
