/**
 * Where to cut a long text so that a piece fits a size limit and still reads well: at a paragraph
 * break, else a line break, else a sentence end, else whitespace, else between two graphemes —
 * never inside a surrogate pair. All positions are UTF-16 indices, as Telegram counts.
 */

export type BoundaryKind = "paragraph" | "line" | "sentence" | "whitespace";

export const ALL_BOUNDARIES: readonly BoundaryKind[] = ["paragraph", "line", "sentence", "whitespace"];

/**
 * A preferred boundary is taken only if the piece before it fills at least this share of the
 * limit; otherwise one short heading line would become a message of its own while the long
 * paragraph after it is cut anyway.
 */
const MIN_FILL = 0.25;

// A sentence ends at 。！？ (no space follows in CJK text) or at . ! ? before whitespace or the
// end; closing quotes and brackets right after the mark stay with the sentence.
const CLOSERS = "”’」』）)\"'\\]】》";
const SENTENCE_END = new RegExp(`(?:[。！？]|[.!?](?=[${CLOSERS}]*(?:\\s|$)))[${CLOSERS}]*`, "g");

const NEWLINE = 10;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The end (exclusive) of the piece that starts at `start` and may not pass `windowEnd`
 * (`start < windowEnd < text.length`). The text between pieces may be whitespace the caller drops.
 */
export function chooseCut(
  text: string,
  start: number,
  windowEnd: number,
  kinds: readonly BoundaryKind[] = ALL_BOUNDARIES,
): number {
  const minCut = start + Math.ceil((windowEnd - start) * MIN_FILL);
  let best = -1;
  for (const kind of kinds) {
    const cut = lastBoundary(text, start, windowEnd, kind);
    if (cut >= minCut) return cut;
    if (cut > best) best = cut;
  }
  return best > start ? best : hardCut(text, start, windowEnd);
}

/** The last cut position `c` of this kind with `start < c <= windowEnd`, or -1. */
function lastBoundary(text: string, start: number, windowEnd: number, kind: BoundaryKind): number {
  switch (kind) {
    case "paragraph":
    case "line": {
      // A bounded backward scan: `lastIndexOf` would search all the way to the text's start.
      for (let at = windowEnd; at > start; at--) {
        if (text.charCodeAt(at) === NEWLINE && (kind === "line" || text.charCodeAt(at + 1) === NEWLINE)) return at;
      }
      return -1;
    }
    case "sentence": {
      // One character past the window lets the lookahead see the whitespace after a full stop.
      const window = text.slice(start, windowEnd + 1);
      let cut = -1;
      for (const match of window.matchAll(SENTENCE_END)) {
        const end = start + match.index + match[0].length;
        if (end <= windowEnd) cut = end;
      }
      return cut > start ? cut : -1;
    }
    case "whitespace": {
      for (let at = windowEnd; at > start; at--) if (isWhitespaceCode(text.charCodeAt(at))) return at;
      return -1;
    }
  }
}

/** The last grapheme boundary in (start, windowEnd]; a surrogate-safe cut if one grapheme is longer. */
function hardCut(text: string, start: number, windowEnd: number): number {
  const from = Math.max(start, windowEnd - 64);
  let cut = -1;
  for (const { index } of graphemes.segment(text.slice(from, windowEnd + 1))) {
    const at = from + index;
    if (at > windowEnd) break;
    // The slice's own first boundary is not necessarily one in the whole text; skip it.
    if (index > 0) cut = at;
  }
  if (cut > start) return cut;
  return splitsSurrogatePair(text, windowEnd) ? windowEnd - 1 : windowEnd;
}

export function splitsSurrogatePair(text: string, index: number): boolean {
  if (index <= 0 || index >= text.length) return false;
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

export function isWhitespace(char: string | undefined): boolean {
  return char !== undefined && isWhitespaceCode(char.charCodeAt(0));
}

/** JS `\s` for one UTF-16 unit, without a regex call per character. */
function isWhitespaceCode(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}
