/**
 * Splits formatted text into Telegram-sized pieces. Entities cut by a split are closed at the end
 * of one piece and reopened at the start of the next (`FormattedString.slice` clips them), so every
 * piece is valid on its own. Whitespace at a cut is dropped; nothing else is lost or repeated.
 */
import { FormattedString } from "@grammyjs/parse-mode";
import type { BoundaryKind } from "./cut-point.js";
import { chooseCut, isWhitespace } from "./cut-point.js";

/** Telegram's limit for a message text, in UTF-16 code units after entity parsing. */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit for a media caption. */
export const CAPTION_LIMIT = 1024;

export class SplitLimitError extends RangeError {
  override name = "SplitLimitError";
  constructor(
    readonly limit: number,
    reason: string,
  ) {
    super(`cannot split text with limit ${limit}: ${reason}`);
  }
}

export interface SplitOptions {
  /** Append "(k/n)" on its own line to every piece when there is more than one (counted in the limit). */
  numbered?: boolean;
}

/** Pieces of `text`, each 1..limit UTF-16 units, trimmed; [] when `text` is only whitespace. */
export function splitFormatted(text: FormattedString, limit: number, options: SplitOptions = {}): FormattedString[] {
  assertUsableLimit(limit, limit);
  const pieces = pieceRanges(text.rawText, limit);
  if (!options.numbered || pieces.length <= 1) return pieces.map(([from, to]) => text.slice(from, to));

  // The marker's width depends on the number of pieces, which depends on the marker's width:
  // widen until the count no longer needs more digits than were reserved.
  let assumedCount = pieces.length;
  for (;;) {
    const room = limit - partMarker(assumedCount, assumedCount).length;
    assertUsableLimit(room, limit);
    const ranges = pieceRanges(text.rawText, room);
    if (partMarker(ranges.length, ranges.length).length <= partMarker(assumedCount, assumedCount).length) {
      return ranges.map(([from, to], i) => withMarker(text.slice(from, to), partMarker(i + 1, ranges.length)));
    }
    assumedCount = ranges.length;
  }
}

/**
 * `text` cut to at most `limit` units with "…" appended when it is longer: at a sentence end,
 * else a word boundary, else between graphemes.
 */
export function truncateFormatted(text: FormattedString, limit: number, ellipsis = "…"): FormattedString {
  const trimmed = trimRange(text.rawText, 0, text.rawText.length);
  if (trimmed[1] - trimmed[0] <= limit) return text.slice(trimmed[0], trimmed[1]);
  const room = limit - ellipsis.length;
  assertUsableLimit(room, limit);
  const kinds: BoundaryKind[] = ["sentence", "whitespace"];
  const cut = chooseCut(text.rawText, trimmed[0], trimmed[0] + room, kinds);
  const [from, to] = trimRange(text.rawText, trimmed[0], cut);
  const head = text.slice(from, to);
  return new FormattedString(head.rawText + ellipsis, head.rawEntities);
}

/** [from, to) ranges of the pieces, in order, each trimmed and non-empty. */
function pieceRanges(text: string, limit: number): [number, number][] {
  const ranges: [number, number][] = [];
  let [start, end] = trimRange(text, 0, text.length);
  while (start < end) {
    if (end - start <= limit) {
      ranges.push([start, end]);
      break;
    }
    const cut = chooseCut(text, start, start + limit);
    const piece = trimRange(text, start, cut);
    if (piece[1] > piece[0]) ranges.push(piece);
    start = trimRange(text, cut, end)[0];
  }
  return ranges;
}

function trimRange(text: string, from: number, to: number): [number, number] {
  while (from < to && isWhitespace(text[from])) from++;
  while (to > from && isWhitespace(text[to - 1])) to--;
  return [from, to];
}

export function partMarker(index: number, count: number): string {
  return `\n(${index}/${count})`;
}

function withMarker(piece: FormattedString, marker: string): FormattedString {
  return new FormattedString(piece.rawText + marker, piece.rawEntities);
}

function assertUsableLimit(room: number, limit: number): void {
  // Two units is the least that always fits one surrogate pair.
  if (!Number.isInteger(limit) || room < 2) throw new SplitLimitError(limit, "need at least 2 UTF-16 units per piece");
}
