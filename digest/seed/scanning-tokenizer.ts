/**
 * htmlparser2's Tokenizer, made to skip runs of characters it would only step over: text up to
 * the next `<` or `&`, a quoted attribute value up to its quote or `&` (both with `indexOf`),
 * and tag and attribute names up to their end. Its events are exactly the stock tokenizer's: in
 * those states the stock state functions do nothing for any other character, so jumping to the
 * next one that matters changes nothing but the time taken. Article bodies are mostly text, and
 * stepping through it was the parser's biggest cost.
 *
 * The stock state functions are private in the typings; they are reached through the prototype.
 * If a future htmlparser2 renames them, the overrides are not installed and the stock
 * tokenizer runs unchanged (slower, same result).
 */
import { Tokenizer } from "htmlparser2";

const LESS_THAN = 0x3c;
const AMPERSAND = 0x26;

/** The members of the stock Tokenizer that the overrides use (htmlparser2 10.x). */
interface TokenizerInternals {
  buffer: string;
  index: number;
  offset: number;
  stateText(c: number): void;
  handleInAttributeValue(c: number, quote: number): void;
  stateInTagName(c: number): void;
  stateInAttributeName(c: number): void;
  stateInClosingTagName(c: number): void;
}

export class ScanningTokenizer extends Tokenizer {
  /**
   * Where the last `<` and `&` searches started and what they found (buffer length: none),
   * for `scannedBuffer`. A later search from between start and hit has the same answer, so
   * a long text with one late `&` is searched once, not once per run of text.
   */
  scannedBuffer = "";
  lessThanFrom = 0;
  lessThanAt = -1;
  ampersandFrom = 0;
  ampersandAt = -1;
}

/** A ScanningTokenizer seen with the stock internals (an intersection type would be `never`: they are private). */
interface Scanning extends TokenizerInternals {
  scannedBuffer: string;
  lessThanFrom: number;
  lessThanAt: number;
  ampersandFrom: number;
  ampersandAt: number;
}

function nextLessThan(t: Scanning, from: number): number {
  if (t.scannedBuffer !== t.buffer) forget(t);
  if (from < t.lessThanFrom || from > t.lessThanAt) {
    const at = t.buffer.indexOf("<", from);
    t.lessThanFrom = from;
    t.lessThanAt = at === -1 ? t.buffer.length : at;
  }
  return t.lessThanAt;
}

function nextAmpersand(t: Scanning, from: number): number {
  if (t.scannedBuffer !== t.buffer) forget(t);
  if (from < t.ampersandFrom || from > t.ampersandAt) {
    const at = t.buffer.indexOf("&", from);
    t.ampersandFrom = from;
    t.ampersandAt = at === -1 ? t.buffer.length : at;
  }
  return t.ampersandAt;
}

function forget(t: Scanning): void {
  t.scannedBuffer = t.buffer;
  t.lessThanFrom = t.ampersandFrom = 0;
  t.lessThanAt = t.ampersandAt = -1;
}

/** The stock tokenizer's whitespace: space, LF, tab, FF, CR (not VT). */
const isTokenizerSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
/** What ends a tag or attribute name: `/`, `>` or whitespace. */
const endsTagSection = (c: number): boolean => c === 0x2f || c === 0x3e || isTokenizerSpace(c);

/**
 * Moves `index` to just before the first character at or after `index + 1` that `stops`
 * (or to the last character when none does), as the stock `fastForwardTo` does.
 */
function skipUntil(t: Scanning, stops: (c: number) => boolean): void {
  const buffer = t.buffer;
  let at = t.index - t.offset + 1;
  while (at < buffer.length && !stops(buffer.charCodeAt(at))) at++;
  t.index = t.offset + at - 1;
}

const endsAttributeName = (c: number): boolean => c === 0x3d || endsTagSection(c);
const endsClosingTagName = (c: number): boolean => c === 0x3e || isTokenizerSpace(c);

const stock = Tokenizer.prototype as unknown as Partial<TokenizerInternals>;
const stockStateText = stock.stateText;
const stockAttributeValue = stock.handleInAttributeValue;
const stockInTagName = stock.stateInTagName;
const stockInAttributeName = stock.stateInAttributeName;
const stockInClosingTagName = stock.stateInClosingTagName;

if (
  typeof stockStateText === "function" &&
  typeof stockAttributeValue === "function" &&
  typeof stockInTagName === "function" &&
  typeof stockInAttributeName === "function" &&
  typeof stockInClosingTagName === "function"
) {
  const scanning = ScanningTokenizer.prototype as unknown as TokenizerInternals;

  scanning.stateText = function (this: Scanning, c: number): void {
    if (c === LESS_THAN || c === AMPERSAND) {
      stockStateText.call(this, c);
      return;
    }
    // The parse loop increments `index` after each state call: land just before the target.
    const from = this.index - this.offset + 1;
    this.index = this.offset + Math.min(nextLessThan(this, from), nextAmpersand(this, from)) - 1;
  };

  scanning.handleInAttributeValue = function (this: Scanning, c: number, quote: number): void {
    if (c === quote || c === AMPERSAND) {
      stockAttributeValue.call(this, c, quote);
      return;
    }
    const from = this.index - this.offset + 1;
    const quoteAt = this.buffer.indexOf(quote === 0x22 ? '"' : "'", from);
    const target = Math.min(quoteAt === -1 ? this.buffer.length : quoteAt, nextAmpersand(this, from));
    this.index = this.offset + target - 1;
  };

  // Inside tag and attribute names the stock states wait for a terminator and do nothing else.
  scanning.stateInTagName = function (this: Scanning, c: number): void {
    if (endsTagSection(c)) stockInTagName.call(this, c);
    else skipUntil(this, endsTagSection);
  };

  scanning.stateInAttributeName = function (this: Scanning, c: number): void {
    if (endsAttributeName(c)) stockInAttributeName.call(this, c);
    else skipUntil(this, endsAttributeName);
  };

  scanning.stateInClosingTagName = function (this: Scanning, c: number): void {
    if (endsClosingTagName(c)) stockInClosingTagName.call(this, c);
    else skipUntil(this, endsClosingTagName);
  };
}
