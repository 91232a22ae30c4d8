/**
 * Reads one English block: reporting verbs in both orders ("X said", "said X", "“…,” X says",
 * "according to X"), the subject noun phrase, and the statement they attribute.
 */
import type { Attribution, KnownPeople, SubjectRef } from "./model.js";
import { findQuoteSpans, maskQuotes, type QuoteSpan } from "./spans.js";

const VERBS = [
  "said", "says", "say", "told", "tells", "added", "adds", "argued", "argues", "noted", "notes", "wrote", "writes",
  "warned", "warns", "explained", "explains", "believes", "thinks", "reckons", "reckoned", "claimed", "claims",
  "insisted", "insists", "admitted", "admits", "recalled", "recalls", "complained", "complains", "worries", "wonders",
  "wondered", "laughs", "laughed", "predicted", "predicts", "contends", "contended", "suggested", "suggests",
  "acknowledged", "acknowledges", "asserted", "asserts", "stressed", "stresses", "observed", "observes",
  "revealed", "reveals", "concluded", "concludes", "mused", "muses", "declared", "declares",
  "announced", "announces", "maintained", "maintains", "cautioned", "cautions", "conceded", "concedes",
  "confirmed", "confirms", "denied", "denies", "replied", "replies", "responded", "responds", "retorted", "retorts",
  "quipped", "urged", "urges", "promised", "promises", "emphasised", "emphasized", "pointed out", "points out",
  "called", "calls", "alleged", "alleging", "reported", "reports", "agreed", "agrees", "explaining", "saying",
];
const VERB_RE = new RegExp(`\\b(${VERBS.map((v) => v.replace(" ", "\\s+")).join("|")})\\b|\\b(according\\s+to)\\b`, "giu");

const HONORIFICS = /^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|President|President-elect|Senator|Sen|Rep|General|Gen|Governor|Judge|Sir|Dame|Lord|Lady|Ambassador|Minister|Premier|Chancellor|Secretary|Mayor|Maulana)\.?$/u;
const ORG_WORDS = /\b(?:Watch|Times|Post|University|Institute|Committee|Department|Ministry|Party|Government|Council|Court|Agency|Bank|Office|Company|Corp|Inc|Association|Foundation|Center|Centre|Group|News|Journal|Forum|Network|Service|Commission|Union|Organisation|Organization|Congress|Senate|House|Pentagon|Army|Navy|Administration|Campaign|Library|School|College|Board|Fund|Trust|Media|Guardian|Economist|Reuters|Bloomberg|Press|Daily|Review|Voices|Coalition|Alliance|League|Parliament|Cabinet|State|States|Nations|Kingdom|Republic|Facebook|Google|Twitter|Apple|Microsoft|Amazon|Huawei|Taobao|WeChat|Bilibili)\b/u;
const PLACES = new Set(["China", "America", "Britain", "Pakistan", "India", "Japan", "Korea", "Taiwan", "Russia", "France", "Germany", "Europe", "Beijing", "Washington", "London", "Myanmar", "Iran", "Australia", "Canada", "Hong", "Kong", "Afghanistan", "Gwadar", "Islamabad", "Karachi", "Lahore", "Balochistan", "Xinjiang", "Chinese", "American", "British", "Pakistani", "Indian", "Japanese", "Korean", "Taiwanese", "Russian", "French", "German", "European", "Burmese", "Iranian", "Canadian", "Australian"]);
const PARTICLES = new Set(["de", "van", "von", "der", "ul", "al", "bin", "da", "di", "le", "la", "ur", "el"]);
const PRONOUN_SINGULAR = /^(?:he|she|He|She)$/u;
const PRONOUN_PLURAL = /^(?:they|They|we|We)$/u;
const LEADING = /^(?:(?:but|and|yet|so|still|however|indeed|meanwhile|moreover|now|then|also|instead|thus|as|even|later|earlier|today|recently|last\s+\w+|on\s+\w+\s+\w+|in\s+\w+(?:\s+\w+)?)\s*,?\s+)+/iu;
const ABBREVIATIONS = /(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Sen|Rep|Prof|Inc|Co|vs|etc|No|U\.S|U\.K|Ph\.D)|\b[A-Z])$/u;

interface EnCue {
  verbStart: number;
  verbEnd: number;
  verb: string;
  inverted: boolean;
  subjects: SubjectRef[];
  /** Where the subject phrase ends (inverted) or starts (normal). */
  subjectEdge: number;
  trailingQuote: QuoteSpan | null;
  /** Statement text range when it is reported speech in this sentence. */
  content: [number, number] | null;
}

function isBoundaryChar(c: string | undefined): boolean {
  return c === undefined || c === "\u3000" || ".;:!?".includes(c);
}

/** Start of the sentence containing `pos` (masked text: quotes are filler). */
function sentenceStart(masked: string, pos: number): number {
  for (let i = pos - 1; i > 0; i--) {
    const c = masked[i]!;
    if ((c === "." || c === "!" || c === "?" || c === ";") && masked[i + 1] === " " && !ABBREVIATIONS.test(masked.slice(Math.max(0, i - 6), i))) return i + 1;
    if (c === "\u3000" && masked[i + 1] === " " && /[.!?]/u.test(masked[i - 1] === "\u3000" ? "." : "")) return i + 1;
  }
  return 0;
}

/** End (exclusive) of the sentence containing `pos`. */
function sentenceEnd(masked: string, pos: number): number {
  for (let i = pos; i < masked.length; i++) {
    const c = masked[i]!;
    if ((c === "." || c === "!" || c === "?" || c === ";") && (i + 1 === masked.length || masked[i + 1] === " ") && !ABBREVIATIONS.test(masked.slice(Math.max(0, i - 6), i))) return i + 1;
  }
  return masked.length;
}

function quoteEndingNear(spans: readonly QuoteSpan[], masked: string, pos: number): QuoteSpan | null {
  // "“…,” says X": the quote closes right before the verb/subject (spaces and a comma allowed).
  let i = pos - 1;
  while (i >= 0 && (masked[i] === " " || masked[i] === ",")) i--;
  if (i < 0 || masked[i] !== "\u3000") return null;
  for (const s of spans) if (s.closed && s.close === i) return s;
  return null;
}

const NAME_TOKEN = /^(?:[A-Z][\p{L}'’\-]*\.?|[A-Z]\.)$/u;

/** Capitalised runs (with particles) in a phrase: [start, end) token indices. */
function nameRuns(tokens: readonly string[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let i = 0;
  while (i < tokens.length) {
    if (NAME_TOKEN.test(tokens[i]!)) {
      let j = i + 1;
      while (j < tokens.length && (NAME_TOKEN.test(tokens[j]!) || (PARTICLES.has(tokens[j]!) && j + 1 < tokens.length && NAME_TOKEN.test(tokens[j + 1]!)))) j++;
      runs.push([i, j]);
      i = j;
    } else i++;
  }
  return runs;
}

function classifyName(phrase: string, known: KnownPeople): SubjectRef | null {
  const clean = phrase.replace(/[’']s$/u, "").trim();
  const tokens = clean.split(/\s+/u).filter((t) => t.length > 0);
  if (tokens.length === 0) return null;
  if (tokens.length === 1 && PRONOUN_SINGULAR.test(tokens[0]!)) return { type: "pronoun" };
  if (tokens.length === 1 && PRONOUN_PLURAL.test(tokens[0]!)) return { type: "other", label: tokens[0]!, group: "unnamed" };
  const first = tokens[0]!;
  if ((/^[a-z]/u.test(first) && !HONORIFICS.test(first)) || /^(?:A|An|One|Some|Many|Another|Two|Three|Several|Most|Other|Others|Few|Both|Critics|Officials|Experts|Analysts|People)$/u.test(first)) {
    // "a senior official", "one professor", "people involved in the process"
    return { type: "other", label: clean, group: "unnamed" };
  }
  const runs = nameRuns(tokens);
  const last = runs.at(-1);
  if (last === undefined) return { type: "other", label: clean, group: "unnamed" };
  let [a, b] = last;
  // "X of Y": the person is the run before "of".
  const ofAt = tokens.indexOf("of");
  if (ofAt > 0) {
    const before = runs.filter(([, e]) => e <= ofAt).at(-1);
    if (before !== undefined && before[1] === ofAt) [a, b] = before;
  }
  let words = tokens.slice(a, b).map((w) => w.replace(/[,.;:]$/u, ""));
  if (words[0] === "The" || words[0] === "the") return { type: "other", label: clean, group: "org" };
  const run = words.join(" ");
  if (known.isKnown(run)) return { type: "person", surface: run, romanized: null, role: "" };
  let hasHonorific = false;
  while (words.length > 1 && (HONORIFICS.test(words[0]!) || PLACES.has(words[0]!.replace(/[’']s$/u, "")) || /[’']s$/u.test(words[0]!))) {
    if (HONORIFICS.test(words[0]!)) hasHonorific = true;
    words = words.slice(1);
  }
  const name = words.join(" ");
  const surface = hasHonorific ? run.slice(run.indexOf(words[0]!) - (run.split(" ")[0]!.length + 1)).trim() : name;
  if (ORG_WORDS.test(name) || /^[A-Z0-9]{2,}$/u.test(name) || PLACES.has(name)) return { type: "other", label: clean, group: "org" };
  if (known.isKnown(name)) return { type: "person", surface: hasHonorific ? surface : name, romanized: null, role: roleOf(tokens, a, b) };
  if (words.length === 1 && !hasHonorific && a === 0 && tokens.length > b && /^(?:a|an|the|one)$/u.test(tokens[b] ?? "")) {
    return { type: "person", surface: name, romanized: null, role: "" };
  }
  return { type: "person", surface: hasHonorific ? surface : name, romanized: null, role: roleOf(tokens, a, b) };
}

function roleOf(tokens: readonly string[], a: number, b: number): string {
  const before = tokens.slice(0, a).join(" ").replace(/,$/u, "");
  const after = tokens.slice(b).join(" ").replace(/^,\s*/u, "");
  return (before.length > 0 ? before : after).slice(0, 120);
}

/** The subject of a normal-order clause "…, X (, appositive,) said". */
function subjectBefore(text: string, from: number, to: number, known: KnownPeople): SubjectRef | null {
  let phrase = text.slice(from, to).trim().replace(/^[,;:\s]+/u, "").replace(LEADING, "");
  if (phrase.length === 0) return null;
  // Drop a trailing appositive: "Muhammad Safdar, an Islamabad-based researcher,"
  const appos = /^(.*?),\s*(?:a|an|the|who|which|one|whose|now|then|formerly|its|his|her)\b.*,?$/u.exec(phrase);
  if (appos !== null && appos[1] !== undefined && appos[1].length > 0) phrase = appos[1];
  phrase = phrase.replace(/,$/u, "");
  if (phrase.split(/\s+/u).length > 12) {
    // Too long for a subject: keep the last clause after a comma.
    phrase = phrase.slice(phrase.lastIndexOf(",") + 1).trim();
  }
  return classifyName(phrase, known);
}

/** The subject of an inverted clause "said X, a professor…" / "says X." */
function subjectAfter(text: string, from: number, known: KnownPeople): { ref: SubjectRef | null; end: number } {
  const rest = text.slice(from);
  const m = /^\s*([^,.;:“”"(]*)/u.exec(rest);
  let phrase = (m?.[1] ?? "").trim();
  // Cut at a lowercase word that ends the name: "in an interview", "during", "who".
  const tokens = phrase.split(/\s+/u);
  let cut = tokens.length;
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]!;
    if (/^(?:in|during|at|on|when|while|who|which|after|before|from|recently|last|this|to|that)$/u.test(w) && i > 0 && !/^(?:a|an|the|one|another|some|many)$/iu.test(tokens[0]!)) {
      if (w === "to" || w === "of") continue;
      cut = i;
      break;
    }
  }
  phrase = tokens.slice(0, cut).join(" ");
  return { ref: classifyName(phrase, known), end: from + (m?.[0].length ?? 0) };
}

/** Every attribution in the block, in reading order. */
export function readEnglishBlock(text: string, known: KnownPeople): Attribution[] {
  const spans = findQuoteSpans(text);
  const masked = maskQuotes(text, spans);
  const found: EnCue[] = [];
  VERB_RE.lastIndex = 0;
  for (let m = VERB_RE.exec(masked); m !== null; m = VERB_RE.exec(masked)) {
    const verb = (m[1] ?? m[2] ?? "").replace(/\s+/gu, " ");
    const verbStart = m.index;
    const verbEnd = m.index + m[0].length;
    const sStart = sentenceStart(masked, verbStart);
    const sEnd = sentenceEnd(masked, verbEnd);
    if (/^according to$/iu.test(verb)) {
      const { ref, end } = subjectAfter(text, verbEnd, known);
      if (ref === null) continue;
      let content: [number, number];
      const lead = masked.slice(sStart, verbStart).trim();
      if (lead.length === 0 || /^(?:but|and|yet|so)$/iu.test(lead)) content = [end, sEnd];
      else content = [sStart, verbStart];
      found.push({ verbStart, verbEnd, verb, inverted: true, subjects: [ref], subjectEdge: end, trailingQuote: null, content });
      continue;
    }
    // Inverted when a comma or a closing quote comes right before the verb.
    let p = verbStart - 1;
    while (p >= 0 && masked[p] === " ") p--;
    const prev = masked[p];
    const inverted = prev === "," || prev === "\u3000";
    if (inverted) {
      const { ref, end } = subjectAfter(text, verbEnd, known);
      if (ref === null || ref.type === "pronoun" && !/^\s*(?:he|she)\b/iu.test(text.slice(verbEnd))) continue;
      const trailingQuote = quoteEndingNear(spans, masked, verbStart);
      let content: [number, number] | null = null;
      if (trailingQuote === null) {
        // "Responsible academics…, says one professor."
        content = [sStart, Math.max(sStart, p)];
      }
      found.push({ verbStart, verbEnd, verb, inverted, subjects: [ref], subjectEdge: end, trailingQuote, content });
      continue;
    }
    // Normal order: subject between the clause start and the verb.
    let from = sStart;
    const qBefore = (() => {
      for (let i = verbStart - 1; i >= sStart; i--) if (masked[i] === "\u3000") return i + 1;
      return -1;
    })();
    if (qBefore > from) from = qBefore;
    const subject = subjectBefore(text, from, verbStart, known);
    if (subject === null) continue;
    if (subject.type === "other" && subject.label.split(/\s+/u).length > 8) continue;
    const trailingQuote = qBefore > 0 && /^[\s,]*$/u.test(masked.slice(qBefore, from)) ? quoteEndingNear(spans, masked, from + (text.slice(from, verbStart).length - text.slice(from, verbStart).trimStart().length)) : null;
    // What follows the verb: skip the listener of "told" and a "that".
    let c = verbEnd;
    const after = masked.slice(c);
    const listener = /^\s*(?:(?:me|us|him|her|them|reporters|journalists|officials|The\s+\w+|the\s+\w+|[A-Z]\w+)\s*)?(?:that\s+)?/u.exec(after);
    if (/^(?:told|tells)$/u.test(verb) && listener !== null) c += listener[0].length;
    else {
      const that = /^\s*,?\s*(?:that\s+)?/u.exec(after);
      if (that !== null) c += that[0].length;
    }
    let content: [number, number] | null = null;
    if (c < masked.length && masked[c] !== "." && masked[c] !== ",") content = [c, sEnd];
    else if (trailingQuote === null && c < masked.length && masked[c] === ",") {
      const nextQ = spans.find((s) => s.open > c && s.open <= c + 3);
      if (nextQ !== undefined) content = [nextQ.open, nextQ.closed ? nextQ.close + 1 : text.length];
    }
    found.push({ verbStart, verbEnd, verb, inverted: false, subjects: [subject], subjectEdge: from, trailingQuote, content });
  }
  return toAttributions(text, masked, spans, found);
}

function stripOuter(s: string): string {
  return s.replace(/^[\s,;:—–-]+/u, "").replace(/[\s,;:—–-]+$/u, "");
}

function toAttributions(text: string, masked: string, spans: readonly QuoteSpan[], found: EnCue[]): Attribution[] {
  const out: Attribution[] = [];
  const claimed = new Set<QuoteSpan>();
  const covered: Array<[number, number]> = [];
  for (const c of found) {
    if (c.trailingQuote !== null && !claimed.has(c.trailingQuote)) {
      claimed.add(c.trailingQuote);
      const q = text.slice(c.trailingQuote.open + 1, c.trailingQuote.close).trim();
      if (q.length > 1) out.push({ subjects: c.subjects, text: q, kind: "direct", cue: c.verb });
    }
    if (c.content === null) continue;
    const [a, b] = c.content;
    covered.push([a, b]);
    const inside = spans.filter((s) => s.open >= a && s.open < b);
    const only = inside[0];
    const body = stripOuter(text.slice(a, b)).replace(/[.]$/u, "");
    if (only !== undefined && inside.length === 1 && stripOuter(masked.slice(a, b)).replace(/[.]$/u, "").replace(/\u3000/gu, "").length === 0) {
      claimed.add(only);
      out.push({ subjects: c.subjects, text: text.slice(only.open + 1, only.close).trim(), kind: "direct", cue: c.verb });
      continue;
    }
    for (const s of inside) claimed.add(s);
    if (/[\p{L}]{2,}/u.test(body)) out.push({ subjects: c.subjects, text: body, kind: "indirect", cue: c.verb });
  }
  for (const span of spans) {
    if (claimed.has(span) || covered.some(([a, b]) => span.open >= a && span.open < b)) continue;
    let i = span.open - 1;
    while (i >= 0 && masked[i] === " ") i--;
    const before = masked[i];
    if (!(i < 0 || isBoundaryChar(before) || before === "," || before === "—")) continue;
    const q = text.slice(span.open + 1, span.close).trim();
    if (q.split(/\s+/u).length < 4) continue;
    const previous = found.filter((c) => c.verbStart < span.open).at(-1);
    out.push({ subjects: previous?.subjects ?? [{ type: "continuation" }], text: q, kind: "direct", cue: "“”" });
  }
  return out;
}
