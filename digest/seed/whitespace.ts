/**
 * The text rule for blocks, titles and captions: every run of whitespace (JavaScript's `\s`, which
 * takes in &nbsp; and the ideographic space, plus the zero-width space U+200B) becomes one space,
 * and the ends are trimmed. The bot's renderer derives block text from block HTML by the same
 * rule, so it must not drift.
 */

const WHITESPACE_RUN = /[\s\u200b]+/g;

/**
 * The code units `/[\s\u200b]/` matches (all in the BMP): ECMAScript WhiteSpace and
 * LineTerminator, which are the Unicode Zs characters plus tab, VT, FF, LF, CR, U+2028, U+2029
 * and U+FEFF, and U+200B.
 */
const WHITESPACE_CODE_UNITS = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x200b, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];
const isWhitespaceUnit = new Uint8Array(0x10000);
for (const unit of WHITESPACE_CODE_UNITS) isWhitespaceUnit[unit] = 1;

/** Whitespace by the rule above other than the ASCII space. */
const OTHER_WHITESPACE = /[\t-\r\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** Collapses whitespace (including &nbsp; and ideographic spaces) and trims. */
export function normaliseText(text: string): string {
  // Most text is already normal (single ASCII spaces between words). Checking that takes native
  // scans only, where the replacing regex would rebuild an English text at every space.
  if (isNormal(text)) return text;
  // Trimming first leaves the regex less to do, and is all that a whitespace-only text (a third
  // of them: the breaks between tags) needs. trim does not take U+200B; the regex does.
  const trimmed = text.trim();
  return trimmed === "" ? "" : trimmed.replace(WHITESPACE_RUN, " ").trim();
}

/** True when normalising would return `text` unchanged: no space at the ends, no space but single ASCII spaces. */
function isNormal(text: string): boolean {
  if (text.length === 0) return true;
  return (
    text.charCodeAt(0) !== 0x20 &&
    text.charCodeAt(text.length - 1) !== 0x20 &&
    !text.includes("  ") &&
    !OTHER_WHITESPACE.test(text)
  );
}

/** True when `text` has a character that is not whitespace by the rule above. */
export function hasNonSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isWhitespaceUnit[text.charCodeAt(i)] !== 1) return true;
  return false;
}
