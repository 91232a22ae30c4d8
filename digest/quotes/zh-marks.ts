/**
 * One pass over a masked Chinese block that notes every position the readers look for: where a
 * cue word may start, colons, sentence and clause ends, and which anchor characters occur at all.
 * The readers then walk these lists instead of each scanning the block again with its own search
 * (a cue scan, two colon searches, three framing patterns, two sentence/clause patterns): on
 * blocks of about a hundred characters the call overhead of those searches was most of their cost.
 */

/** Character classes, one bit each; a character may be in several. */
const CUE_FIRST = 1;
const FULL_COLON = 2; // ：
const ASCII_COLON = 4; // :
const SENTENCE_END = 8; // 。！？!?
const CLAUSE_MARK = 16; // ，,；
/** 看: the "在X看来" frame. */
export const HAS_KAN = 32;
/** 的: the "根据X的说法" and "X的看法是" frames. */
export const HAS_DE = 64;
/** ( or （: a romanised name may follow. */
export const HAS_PAREN = 128;
/** First characters of the nouns a stance ends in (看法, 观点, 态度, 立场, 意见, 说法). */
export const HAS_STANCE_NOUN = 256;

export interface BlockMarks {
  /** Positions whose character starts some cue word, ascending. */
  cueStarts: number[];
  /** Positions of ：, ascending. */
  fullColons: number[];
  /** Positions of :, ascending. */
  asciiColons: number[];
  /** Positions of 。！？!?, ascending. */
  sentenceEnds: number[];
  /** Positions of ，,；, ascending. */
  clauseMarks: number[];
  /** HAS_* bits of the characters present. */
  has: number;
}

/** The class table: cue first characters from the lexicon, the rest fixed. */
export function markTable(cueFirstChars: Iterable<number>): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (const c of cueFirstChars) table[c]! |= CUE_FIRST;
  const set = (chars: string, bit: number) => {
    for (const ch of chars) table[ch.charCodeAt(0)]! |= bit;
  };
  set("：", FULL_COLON);
  set(":", ASCII_COLON);
  set("。！？!?", SENTENCE_END);
  set("，,；", CLAUSE_MARK);
  set("看", HAS_KAN);
  set("的", HAS_DE);
  set("(（", HAS_PAREN);
  set("看观觀态態立意说說", HAS_STANCE_NOUN);
  return table;
}

export function markBlock(masked: string, table: Uint16Array): BlockMarks {
  const marks: BlockMarks = { cueStarts: [], fullColons: [], asciiColons: [], sentenceEnds: [], clauseMarks: [], has: 0 };
  let has = 0;
  for (let i = 0, n = masked.length; i < n; i++) {
    const bits = table[masked.charCodeAt(i)]!;
    if (bits === 0) continue;
    has |= bits;
    if (bits & CUE_FIRST) marks.cueStarts.push(i);
    if (bits & SENTENCE_END) marks.sentenceEnds.push(i);
    else if (bits & CLAUSE_MARK) marks.clauseMarks.push(i);
    else if (bits & FULL_COLON) marks.fullColons.push(i);
    else if (bits & ASCII_COLON) marks.asciiColons.push(i);
  }
  marks.has = has;
  return marks;
}

/** Index of the first entry of an ascending list that is ≥ `from` (list.length when none): a binary search. */
export function indexAtOrAfter(list: readonly number[], from: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first entry of an ascending list that is ≥ `from`, or `fallback`. */
export function firstAtOrAfter(list: readonly number[], from: number, fallback: number): number {
  const k = indexAtOrAfter(list, from);
  return k < list.length ? list[k]! : fallback;
}
