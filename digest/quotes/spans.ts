/**
 * Quotation spans in one block of text: “…”, 「…」, 『…』 and straight "…". Single quotes
 * (‘…’) are left alone: in English they are apostrophes far more often than quotes, and in
 * Chinese they only appear inside an outer quote.
 */
export interface QuoteSpan {
  /** Index of the opening mark. */
  open: number;
  /** Index of the closing mark, or text.length when the quote runs past the block's end. */
  close: number;
  closed: boolean;
}

/** The closing mark for an opening one, or 0 when the character opens nothing. */
function closerOf(code: number): number {
  switch (code) {
    case 0x201c: // “
      return 0x201d;
    case 0x300c: // 「
      return 0x300d;
    case 0x300e: // 『
      return 0x300f;
    case 0x22: // "
      return 0x22;
    default:
      return 0;
  }
}

const OPENING_MARK = /[“「『"]/gu;

/** Outermost quotation spans, in order. One pass, no backtracking. */
export function findQuoteSpans(text: string): QuoteSpan[] {
  const spans: QuoteSpan[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    // Jump to the next opening mark with a native scan: most of a block is outside quotes.
    OPENING_MARK.lastIndex = i;
    const next = OPENING_MARK.exec(text);
    if (next === null) break;
    i = next.index;
    const open = text.charCodeAt(i);
    const close = closerOf(open);
    // Find the matching closer, allowing nesting of the same curly pair. The common case — no
    // second opening mark before the first closing one — needs only two native searches.
    let depth = 1;
    let j = i + 1;
    const firstClose = text.indexOf(String.fromCharCode(close), j);
    const nested = close === open ? -1 : text.indexOf(String.fromCharCode(open), j);
    if (firstClose >= 0 && (nested < 0 || nested > firstClose)) j = firstClose;
    else if (firstClose < 0 && nested < 0) j = n;
    else {
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === close) {
          if (--depth === 0) break;
        } else if (c === open && close !== open) depth++;
      }
    }
    if (j < n) {
      spans.push({ open: i, close: j, closed: true });
      i = j + 1;
    } else {
      spans.push({ open: i, close: n, closed: false });
      break;
    }
  }
  return spans;
}

/**
 * The text with every character inside a quote (marks included) replaced by a filler, so that
 * cue and name patterns never match inside quoted speech. Same length as the input.
 */
export function maskQuotes(text: string, spans: readonly QuoteSpan[], filler = "\u3000"): string {
  if (spans.length === 0) return text;
  let out = "";
  let last = 0;
  for (const s of spans) {
    out += text.slice(last, s.open);
    const end = Math.min(text.length, s.close + 1);
    out += filler.repeat(end - s.open);
    last = end;
  }
  return out + text.slice(last);
}
