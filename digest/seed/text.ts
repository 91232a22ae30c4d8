/**
 * From raw file content to clean text: size limit, binary and UTF-8 checks, BOM and CRLF.
 * Runs before any parsing, so a 20 MB upload or a JPEG renamed to .txt costs almost nothing.
 */
import { Buffer, isAscii, isUtf8, transcode } from "node:buffer";
import { SeedError } from "../errors.js";

/** Seeds are news articles: the longest in the corpus is 57 KB; 5 MB leaves a wide margin. */
export const MAX_SEED_BYTES = 5 * 1024 * 1024;

/** How many leading bytes are scanned for NULs (git uses the same 8 KB heuristic). */
const BINARY_SNIFF_BYTES = 8192;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

// C0 controls other than tab, LF, VT, FF, CR, plus DEL: never part of an article.
const CONTROL_CHAR = /[\u0000-\u0008\u000e-\u001f\u007f]/;
const CONTROL_CHARS = new RegExp(CONTROL_CHAR.source, "g");
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Decodes and cleans a seed file. Returns text with LF line ends, no BOM and no control
 * characters. Throws SeedError ("too-large" | "binary" | "invalid-utf8" | "empty").
 */
export function decodeSeedText(input: string | Uint8Array, file: string): string {
  let text: string;
  let mayHoldControls = true;
  if (typeof input === "string") {
    // A UTF-16 string of n code units is at least n UTF-8 bytes; only count bytes when close.
    if (input.length > MAX_SEED_BYTES || (input.length > MAX_SEED_BYTES / 3 && Buffer.byteLength(input) > MAX_SEED_BYTES))
      throw new SeedError(file, "too-large", `more than ${MAX_SEED_BYTES} bytes`);
    if (LONE_SURROGATE.test(input)) throw new SeedError(file, "invalid-utf8", "lone surrogate in string input");
    if (input.slice(0, BINARY_SNIFF_BYTES).includes("\u0000")) throw new SeedError(file, "binary", "NUL character");
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    if (input.byteLength > MAX_SEED_BYTES)
      throw new SeedError(file, "too-large", `${input.byteLength} bytes, limit ${MAX_SEED_BYTES}`);
    if (input.subarray(0, BINARY_SNIFF_BYTES).includes(0)) throw new SeedError(file, "binary", "NUL byte");
    // Validating first (SIMD) leaves the slow fatal decoder to bad input, to give the error its cause.
    if (!isUtf8(input)) {
      try {
        utf8.decode(input);
      } catch (err) {
        throw new SeedError(file, "invalid-utf8", undefined, { cause: err });
      }
      throw new SeedError(file, "invalid-utf8");
    }
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    text = decodeValidUtf8(bytes);
    // As the fatal decoder did (ignoreBOM: false): a leading BOM is not text.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    mayHoldControls = hasControlByte(bytes);
  }
  if (text.trim() === "") throw new SeedError(file, "empty");
  if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
  if (mayHoldControls && CONTROL_CHAR.test(text)) {
    const controls = text.match(CONTROL_CHARS)?.length ?? 0;
    // A stray control character is noise; many of them mean the file is not text at all.
    if (controls > 16 && controls > text.length / 100)
      throw new SeedError(file, "binary", `${controls} control characters`);
    text = text.replace(CONTROL_CHARS, "");
  }
  return text;
}

/**
 * Valid UTF-8 → string, by the fastest route Node 20 offers: V8's own UTF-8 decoding (behind
 * TextDecoder and Buffer#toString) runs at about 200 MB/s on Chinese text, several times slower
 * than ICU transcoding to UTF-16 and copying that; ASCII is copied as is.
 */
function decodeValidUtf8(bytes: Buffer): string {
  if (isAscii(bytes)) return bytes.toString("latin1");
  // transcode exists only in Node builds with ICU (the default).
  if (typeof transcode !== "function") return bytes.toString("utf8");
  return transcode(bytes, "utf8", "utf16le").toString("utf16le");
}

/** The bytes of CONTROL_CHAR: in UTF-8 they only ever stand for themselves. */
const CONTROL_BYTES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127];

/** Whether UTF-8 `bytes` encode a CONTROL_CHAR: one memchr per byte value beats a regex over the decoded text. */
function hasControlByte(bytes: Buffer): boolean {
  for (const control of CONTROL_BYTES) if (bytes.indexOf(control) !== -1) return true;
  return false;
}
