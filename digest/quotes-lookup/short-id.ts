import { createHash } from "node:crypto";

/** 8 base36 characters of a SHA-1: short, stable across machines, typeable. */
export function shortId(text: string): string {
  const digest = createHash("sha1").update(text).digest();
  const n = digest.readBigUInt64BE(0) % 36n ** 8n;
  return n.toString(36).padStart(8, "0");
}
