/**
 * Identity of an article: a short id from its URL, and a hash of its content to tell an edited
 * file from an unchanged one.
 */
import * as crypto from "node:crypto";

/**
 * SHA-256 as hex. The one-shot crypto.hash (Node 20.12+) skips building a Hash object; older
 * Node 20 releases (package.json allows them) lack it, hence the namespace import and fallback.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

const ID_LENGTH = 8;
const ID_SPACE = 36 ** ID_LENGTH;

/**
 * 8 lowercase base36 characters from SHA-256 of the URL: the same on every run and machine,
 * short enough to type after /full. 48 bits of the hash are folded into 36^8 (≈ 2^41.4), so
 * ids are evenly spread (the modulo bias is under 1 %).
 */
export function articleId(url: string): string {
  // 12 hex digits are the digest's first 48 bits.
  const leading48Bits = Number.parseInt(sha256Hex(url).slice(0, 12), 16);
  return (leading48Bits % ID_SPACE).toString(36).padStart(ID_LENGTH, "0");
}

/** SHA-256 hex over what a reader sees: title, URL, publication time and the blocks' text. */
export function contentHash(title: string, url: string, publishedAt: number, blockTexts: readonly string[]): string {
  // NUL keeps the fields apart: decodeSeedText removes control characters, so no text holds one.
  return sha256Hex(`${title}\u0000${url}\u0000${publishedAt}\u0000${blockTexts.join("\u0000")}`);
}
