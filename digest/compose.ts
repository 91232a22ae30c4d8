/**
 * New articles → one Digest (issue 5, "Composing"): a header, up to `max` items each with a short
 * lead and the most informative expert quote, and how many more there were. Pure data, no Telegram:
 * bot/render.ts turns it into messages. The cron job, an admin's /digest and the tests all call
 * `composeDigest` the same way. No clock: `now` comes in.
 */
import { createHash } from "node:crypto";
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone.js";
import utc from "dayjs/plugin/utc.js";
import type { StoredArticle } from "./store/ports.js";
import type { Article, QuoteKind, QuoteSet } from "./types.js";

export interface DigestQuote {
  /** The quoted words, possibly cut at a sentence end (then ending in "…"). */
  text: string;
  kind: QuoteKind;
  /** The expert's name as the article gives it. */
  speaker: string;
  /** Title and affiliation ("" when the article gives none). */
  role: string;
}

export interface DigestItem {
  articleId: string;
  title: string;
  url: string;
  source: string;
  publishedAt: number;
  /** HH:mm of `publishedAt` in the digest's time zone. */
  localTime: string;
  /** The first one or two sentences of the body, at most about LEAD_MAX_CHARS. */
  lead: string;
  quote: DigestQuote | null;
}

export interface Digest {
  /** Stable for the same articles: a hash of their ids and first/last seq (not of `now`). */
  id: string;
  createdAt: number;
  header: {
    /** YYYY-MM-DD of `createdAt` in the digest's time zone. */
    date: string;
    /** How many new articles the digest covers (shown and not shown). */
    count: number;
  };
  /** Newest first by publication time (ties: later ingested first), at most `max`. */
  items: DigestItem[];
  /** Articles covered but not shown ("and N more → /latest"). */
  more: number;
  /** The highest seq covered, shown or not: the subscribers' cursor after this digest. */
  lastSeq: number;
}

export interface ComposeOptions {
  now: number;
  /** IANA zone for the header date and the items' local times (DIGEST_TZ). */
  tz: string;
  /** DIGEST_MAX_ARTICLES: at most this many items. */
  max: number;
}

/** DIGEST_TZ (or any zone given to composeDigest) is not an IANA time zone this runtime knows. */
export class InvalidTimeZoneError extends RangeError {
  override name = "InvalidTimeZoneError";
  constructor(
    readonly timeZone: string,
    options?: { cause?: unknown },
  ) {
    super(`${JSON.stringify(timeZone)} is not an IANA time zone (expected e.g. "UTC", "Asia/Taipei", "Europe/Berlin")`, options);
  }
}

/** Leads stop at about this many characters (code points), at a sentence end. */
export const LEAD_MAX_CHARS = 220;
/** Quotes longer than this are cut at a sentence end, and preferred less. */
export const QUOTE_MAX_CHARS = 200;
/** A quote shorter than this ("a red line") says little: chosen only when there is nothing longer. */
const QUOTE_MIN_CHARS = 12;

/**
 * The digest of `articles` (the ones new since a cursor), or null when there are none.
 * Throws InvalidTimeZoneError for an unknown `tz` and RangeError for a `max` below 1.
 */
export function composeDigest(articles: readonly StoredArticle[], opts: ComposeOptions): Digest | null {
  if (!Number.isSafeInteger(opts.max) || opts.max < 1)
    throw new RangeError(`composeDigest: max must be a positive integer, got ${String(opts.max)}`);
  requireTimeZone(opts.tz);
  const covered = uniqueBySeq(articles);
  if (covered.length === 0) return null;

  const shown = [...covered].sort(newestFirst).slice(0, opts.max);
  return {
    id: digestId(covered),
    createdAt: opts.now,
    header: { date: formatInZone(opts.now, opts.tz, "YYYY-MM-DD"), count: covered.length },
    items: shown.map((stored) => toItem(stored, opts.tz)),
    more: covered.length - shown.length,
    lastSeq: covered[covered.length - 1]!.seq,
  };
}

/** Throws InvalidTimeZoneError unless `tz` is an IANA zone; for config validation at start. */
export function requireTimeZone(tz: string): void {
  try {
    // Intl is what dayjs' timezone plugin uses underneath: if Intl refuses it, so would dayjs.
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch (error) {
    throw new InvalidTimeZoneError(tz, { cause: error });
  }
  if (tz.trim() === "") throw new InvalidTimeZoneError(tz);
}

// ---- identity and order ----

/** One entry per article id (the highest seq wins), in ingest order. */
function uniqueBySeq(articles: readonly StoredArticle[]): StoredArticle[] {
  const byId = new Map<string, StoredArticle>();
  for (const stored of articles) {
    const seen = byId.get(stored.article.id);
    if (seen === undefined || stored.seq > seen.seq) byId.set(stored.article.id, stored);
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

const newestFirst = (a: StoredArticle, b: StoredArticle): number =>
  b.article.publishedAt - a.article.publishedAt || b.seq - a.seq;

/** 16 hex characters of SHA-256 over the first/last seq and the ids in ingest order. */
function digestId(covered: readonly StoredArticle[]): string {
  const first = covered[0]!.seq;
  const last = covered[covered.length - 1]!.seq;
  const ids = covered.map((s) => s.article.id).join(",");
  return createHash("sha256").update(`${first}-${last}:${ids}`, "utf8").digest("hex").slice(0, 16);
}

// ---- time zones ----

let zonePluginsInstalled = false;

/** Installs dayjs' utc + timezone plugins on first use, so importing this module changes nothing. */
function formatInZone(epochMs: number, tz: string, format: string): string {
  if (!zonePluginsInstalled) {
    dayjs.extend(utc);
    dayjs.extend(timezone);
    zonePluginsInstalled = true;
  }
  return dayjs(epochMs).tz(tz).format(format);
}

// ---- items ----

function toItem(stored: StoredArticle, tz: string): DigestItem {
  const { article } = stored;
  return {
    articleId: article.id,
    title: article.title,
    url: article.url,
    source: article.source,
    publishedAt: article.publishedAt,
    localTime: formatInZone(article.publishedAt, tz, "HH:mm"),
    lead: leadOf(article),
    quote: bestQuote(stored.quotes),
  };
}

const codePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
};

/** Latin text gets a space between sentences; Chinese text does not. */
const joinSentences = (a: string, b: string): string => (/[\x21-\x7e]$/u.test(a) ? `${a} ${b}` : `${a}${b}`);

/**
 * The first one or two sentences of the first paragraphs (headings skipped), at most LEAD_MAX_CHARS.
 * A first sentence longer than that is cut at a clause boundary and marked with "…".
 */
export function leadOf(article: Pick<Article, "blocks">): string {
  const paragraphs = article.blocks.filter((b) => b.kind === "paragraph").map((b) => b.text);
  let lead = "";
  let taken = 0;
  for (const paragraph of paragraphs.slice(0, 3)) {
    for (const sentence of splitSentences(paragraph)) {
      if (taken === 0) {
        if (codePoints(sentence) > LEAD_MAX_CHARS) return cutAtClause(sentence, LEAD_MAX_CHARS);
        lead = sentence;
        taken = 1;
        continue;
      }
      const longer = joinSentences(lead, sentence);
      return codePoints(longer) <= LEAD_MAX_CHARS ? longer : lead;
    }
  }
  return lead;
}

// ---- sentences ----

const CJK_ENDERS = "。！？";
const LATIN_ENDERS = ".!?";
const CLOSERS = "”’」』）)》\"'";
const OPENERS = "“‘「『（(《";
/** Words that end in a period without ending a sentence. */
const ABBREVIATIONS = new Set(
  "mr mrs ms dr prof st jr sr gen col lt sgt capt cmdr adm sen rep gov pres amb no vs etc inc co corp ltd jan feb mar apr jun jul aug sep sept oct nov dec fig".split(
    " ",
  ),
);

/**
 * Splits text into sentences, each keeping its end mark and closing quotes. Ends: 。！？ always
 * (and ?! !?), . ! ? in Latin text before a space and a capital, digit or opening quote. Marks inside
 * “…” or 「…」 do not end the sentence around them, unless the quotes never close.
 */
export function splitSentences(text: string): string[] {
  const respectingQuotes = split(text, true);
  if (respectingQuotes.length > 1 || !hasUnbalancedQuotes(text)) return respectingQuotes;
  return split(text, false);
}

const OPEN_QUOTES = "“‘「『";
const CLOSE_QUOTES = "”’」』";
const END_RUN = CJK_ENDERS + LATIN_ENDERS + "…" + CLOSERS;

/** ’ closes a quotation unless it is an apostrophe (America’s, don’t). */
const closesQuote = (chars: readonly string[], i: number): boolean =>
  CLOSE_QUOTES.includes(chars[i]!) && !(chars[i] === "’" && /\p{L}/u.test(chars[i + 1] ?? ""));

function split(text: string, respectQuotes: boolean): string[] {
  const chars = [...text];
  const out: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (OPEN_QUOTES.includes(ch)) {
      depth += 1;
      continue;
    }
    if (closesQuote(chars, i)) {
      depth = Math.max(0, depth - 1);
      continue;
    }
    const cjk = CJK_ENDERS.includes(ch) || ch === "…" || ((ch === "!" || ch === "?") && isCjk(chars[i - 1]));
    const latin = !cjk && LATIN_ENDERS.includes(ch);
    if (!cjk && !latin) continue;
    // The whole run of end marks and closing quotes that follows belongs to this sentence.
    let end = i + 1;
    let closed = 0;
    while (end < chars.length && END_RUN.includes(chars[end]!)) {
      if (closesQuote(chars, end)) closed += 1;
      end += 1;
    }
    const depthAfter = Math.max(0, depth - closed);
    // 。 inside “…” ends a sentence only when the quotation closes right after it (“……。”).
    if (respectQuotes && depthAfter > 0) continue;
    if (latin && !endsLatinSentence(chars, start, i, end)) continue;
    if (ch === "…" && end < chars.length && !/\s/u.test(chars[end]!)) continue;
    depth = depthAfter;
    const sentence = chars.slice(start, end).join("").trim();
    if (sentence !== "") out.push(sentence);
    start = end;
    i = end - 1;
  }
  const rest = chars.slice(start).join("").trim();
  if (rest !== "") out.push(rest);
  return out;
}

const isCjk = (ch: string | undefined): boolean => ch !== undefined && /[\u3000-\u9fff\uff00-\uffef]/u.test(ch);

/** A Latin . ! ? ends a sentence at the end of the text or before whitespace + a sentence start. */
function endsLatinSentence(chars: readonly string[], start: number, mark: number, after: number): boolean {
  if (after >= chars.length) return true;
  if (!/\s/u.test(chars[after]!)) return false;
  let next = after;
  while (next < chars.length && /\s/u.test(chars[next]!)) next += 1;
  const following = chars[next];
  if (following === undefined) return true;
  if (!/[\p{Lu}\p{Nd}]/u.test(following) && !OPENERS.includes(following) && !isCjk(following) && following !== '"') return false;
  if (chars[mark] !== ".") return true;
  // The word before the period: an abbreviation (Mr.), an initial (George W.) or dotted letters (U.S.).
  let wordStart = mark;
  while (wordStart > start && /[\p{L}.]/u.test(chars[wordStart - 1]!)) wordStart -= 1;
  const word = chars.slice(wordStart, mark).join("");
  if (word.length === 1 && /\p{Lu}/u.test(word)) return false;
  if (word.includes(".")) return false;
  return !ABBREVIATIONS.has(word.toLowerCase());
}

function hasUnbalancedQuotes(text: string): boolean {
  const count = (set: string) => [...text].filter((c) => set.includes(c)).length;
  return count("“「『") !== count("”」』");
}

/**
 * `text` shortened to at most `max` code points including the final "…": at the last clause mark
 * (，；：、,;:) or, failing that, the last space in the second half; else at `max - 1` code points.
 */
function cutAtClause(text: string, max: number): string {
  const chars = [...text].slice(0, max - 1);
  let cut = -1;
  for (let i = chars.length - 1; i >= Math.floor(max / 2); i--) {
    if ("，；：、,;:".includes(chars[i]!)) {
      cut = i;
      break;
    }
  }
  if (cut === -1) {
    for (let i = chars.length - 1; i >= Math.floor(max / 2); i--) {
      if (chars[i] === " ") {
        cut = i;
        break;
      }
    }
  }
  const kept = (cut === -1 ? chars : chars.slice(0, cut)).join("").trimEnd();
  return `${kept}…`;
}

// ---- quotes ----

/**
 * The most informative quote by a named expert: long enough to say something, at most
 * QUOTE_MAX_CHARS if any is; direct words before reported ones; a speaker with a role before one
 * without; then the longer; then the earlier. Statements by organisations are never chosen.
 */
export function bestQuote(quotes: QuoteSet | null): DigestQuote | null {
  if (quotes === null) return null;
  const experts = new Map(quotes.experts.map((e) => [e.key, e]));
  const candidates = quotes.quotes
    .map((quote, order) => ({ quote, order, expert: experts.get(quote.speaker), length: codePoints(quote.text.trim()) }))
    .filter((c) => c.expert !== undefined && c.length > 0);
  if (candidates.length === 0) return null;

  const substantial = candidates.filter((c) => c.length >= QUOTE_MIN_CHARS);
  const pool = substantial.length > 0 ? substantial : candidates;
  const rank = (c: (typeof pool)[number]): number[] => {
    const fits = c.length <= QUOTE_MAX_CHARS;
    return [
      fits ? 0 : 1,
      c.quote.kind === "direct" ? 0 : 1,
      c.expert!.role.trim() === "" ? 1 : 0,
      // Among quotes that fit, the longer says more; among those that do not, the shorter loses less.
      fits ? -c.length : c.length,
      c.quote.paragraph,
      c.order,
    ];
  };
  const best = pool.reduce((a, b) => (compareRanks(rank(b), rank(a)) < 0 ? b : a));
  // “…tool,” he said: the comma belongs to the attribution, not to the words.
  const text = best.quote.text.trim().replace(/[\s,，、:：;；]+$/u, "");
  return {
    text: best.length <= QUOTE_MAX_CHARS ? text : shortenToSentences(text, QUOTE_MAX_CHARS),
    kind: best.quote.kind,
    speaker: best.expert!.name,
    role: best.expert!.role.trim(),
  };
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** As many whole sentences as fit in `max` (marked "…" as the text goes on), else a clause cut. */
function shortenToSentences(text: string, max: number): string {
  let kept = "";
  for (const sentence of splitSentences(text)) {
    const longer = kept === "" ? sentence : joinSentences(kept, sentence);
    if (codePoints(longer) + 1 > max) break;
    kept = longer;
  }
  return kept === "" ? cutAtClause(text, max) : `${kept}…`;
}
