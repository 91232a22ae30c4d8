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
  "revealed", "reveals", "mused", "muses", "declared", "declares",
  "announced", "announces", "maintained", "maintains", "cautioned", "cautions", "conceded", "concedes",
  "confirmed", "confirms", "denied", "denies", "replied", "replies", "responded", "responds", "retorted", "retorts",
  "quipped", "urged", "urges", "promised", "promises", "emphasised", "emphasized", "pointed out", "points out",
  "called", "calls", "alleged", "alleging", "reported", "reports", "agreed", "agrees", "explaining", "saying",
  "puts it", "put it", "persuaded", "persuades",
];
/** What a reporting verb is, by definition; BLOCK_SCAN finds the same faster where it can. */
const VERB_ALTERNATION = `\\b(${VERBS.map((v) => v.replace(" ", "\\s+")).join("|")})\\b|\\b(according\\s+to)\\b`;
/** Run on lower-cased text: a case-sensitive alternation is several times faster than an `i` one. */
const VERB_RE_LOWER = new RegExp(VERB_ALTERNATION, "gu");
/** The same, case-insensitive, for the rare text whose lower-case form changes length ("İ"). */
const VERB_RE_ANY_CASE = new RegExp(VERB_ALTERNATION, "giu");

/**
 * One pass of the engine over a block finds what three passes found, each its own pass (and a
 * `toLowerCase`) being slower:
 * - the verbs: VERB_ALTERNATION with the verbs grouped by first letter, `s(?:aid|ays|…)|t(?:old|…)`,
 *   so that the engine tries one group per word instead of every verb, with the `i` flag but
 *   without `u` (case-folding to ASCII letters only). Same matches: every alternative is a whole
 *   word (or two) between `\b`s, no two alternatives can match at the same place (so their order
 *   does not matter), and without `u`, `\b` and `\s` are unchanged. Group 1: "according to".
 * - group 2: a stop with a space or the block's end after it (a sentence end, unless abbreviated).
 * - the only characters on which the `i` flag and VERB_ALTERNATION on lower-cased text part: the
 *   Kelvin sign (lower case "k", no word character itself) and "İ" (longer in lower case). With one
 *   of them the verbs are found again the first way.
 * No match of one kind can overlap one of another, so each finds what it would find alone.
 */
const BLOCK_SCAN = new RegExp(`\\b(?:${verbsByFirstLetter(VERBS)}|(according\\s+to))\\b|([.!?;])(?= |$)|[\\u212a\\u0130]`, "gi");

function verbsByFirstLetter(verbs: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const v of verbs) {
    const rest = v.slice(1).replace(" ", "\\s+");
    const group = groups.get(v[0]!);
    if (group === undefined) groups.set(v[0]!, [rest]);
    else group.push(rest);
  }
  return [...groups].map(([first, rests]) => `${first}(?:${rests.join("|")})`).join("|");
}

interface VerbMatch {
  index: number;
  end: number;
  /** The verb as written, one space between the words of a two-word cue. */
  verb: string;
  /** "according to X": the statement is the rest of the sentence. */
  according: boolean;
}

const SPACES = /\s+/gu;

/** The reporting verbs (whole words, any case) and the sentence ends of a block. */
function scanBlock(text: string, masked: string, spans: readonly QuoteSpan[]): { verbs: VerbMatch[]; marks: SentenceMarks } {
  let verbs: VerbMatch[] = [];
  const stops: number[] = [];
  let unfoldedCase = false;
  const re = BLOCK_SCAN;
  re.lastIndex = 0;
  for (let m = re.exec(masked); m !== null; m = re.exec(masked)) {
    if (m[2] !== undefined) {
      if (!abbreviationEndsAt(masked, m.index)) stops.push(m.index);
    } else if (m[0].length === 1) unfoldedCase = true;
    else verbs.push({ index: m.index, end: m.index + m[0].length, verb: hasJsSpace(m[0]) ? m[0].replace(SPACES, " ") : m[0], according: m[1] !== undefined });
  }
  if (unfoldedCase) verbs = findVerbsAnyCase(masked);
  const quoteEnds: number[] = [];
  for (const span of spans) if (span.closed && span.close > 0 && quoteEndsSentenceAt(text, masked, span.close)) quoteEnds.push(span.close);
  return { verbs, marks: { stops, quoteEnds } };
}

/** The verbs as first found: the alternation, on lower-cased text when that keeps the indices. */
function findVerbsAnyCase(masked: string): VerbMatch[] {
  const lower = masked.toLowerCase();
  const [re, subject] = lower.length === masked.length ? [VERB_RE_LOWER, lower] : [VERB_RE_ANY_CASE, masked];
  const out: VerbMatch[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(subject); m !== null; m = re.exec(subject)) {
    const end = m.index + m[0].length;
    out.push({ index: m.index, end, verb: masked.slice(m.index, end).replace(SPACES, " "), according: m[2] !== undefined });
  }
  return out;
}

/** Titles that make a capitalised run a person's name ("Mr", "Dr.", "Senator"), with or without a dot. */
const HONORIFIC_WORDS = new Set(["Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Professor", "President", "President-elect", "Senator", "Sen", "Rep", "General", "Gen", "Governor", "Judge", "Sir", "Dame", "Lord", "Lady", "Ambassador", "Minister", "Premier", "Chancellor", "Secretary", "Mayor"]);
const COURTESY_TITLES = new Set(["Mr", "Mrs", "Ms", "Miss", "Dr"]);
const ORG_WORDS = /\b(?:Accountability|Tech|Technology|Research|Policy|Initiative|Project|Program|Programme|Society|Club|Chamber|Industry|Corporation|Ltd|LLC|Watch|Times|Post|University|Institute|Committee|Department|Ministry|Party|Government|Council|Court|Agency|Bank|Office|Company|Corp|Inc|Association|Foundation|Center|Centre|Group|News|Journal|Forum|Network|Service|Commission|Union|Organisation|Organization|Congress|Senate|House|Pentagon|Army|Navy|Administration|Campaign|Library|School|College|Board|Fund|Trust|Media|Guardian|Economist|Reuters|Bloomberg|Press|Daily|Review|Voices|Coalition|Alliance|League|Parliament|Cabinet|State|States|Nations|Kingdom|Republic|Facebook|Google|Twitter|Apple|Microsoft|Amazon|Huawei|Taobao|WeChat|Bilibili)\b/u;
const PLACES = new Set(["China", "America", "Britain", "Pakistan", "India", "Japan", "Korea", "Taiwan", "Russia", "France", "Germany", "Europe", "Beijing", "Washington", "London", "Myanmar", "Iran", "Australia", "Canada", "Hong", "Kong", "Afghanistan", "Gwadar", "Islamabad", "Karachi", "Lahore", "Balochistan", "Xinjiang", "Chinese", "American", "British", "Pakistani", "Indian", "Japanese", "Korean", "Taiwanese", "Russian", "French", "German", "European", "Burmese", "Iranian", "Canadian", "Australian"]);
/** Capitalised words of a title or an office, stripped from the front of a name run. */
const TITLE_WORDS = new Set([
  "Assistant", "Associate", "Foreign", "Minister", "Ministry", "Professor", "Governor", "Former", "Prime", "Vice", "Deputy", "Chief",
  "Senior", "Secretary", "Director", "President", "President-elect", "Chairman", "Chair", "Ambassador", "Consul", "General", "Premier",
  "Acting", "Interim", "Executive", "State", "Defence", "Defense", "Affairs", "Home", "Interior", "Finance", "Trade", "Commerce",
  "Senator", "Representative", "Congressman", "Congresswoman", "Judge", "Justice", "Mayor", "Admiral", "Colonel", "Captain",
  "Lieutenant", "Commander", "Spokesman", "Spokeswoman", "Spokesperson", "Dean", "Economist", "Editor", "Founder", "Leader",
  "Political", "Science", "Studies", "Officer", "Adviser", "Advisor", "National", "Security", "Council", "Department",
  "Dr", "Mr", "Mrs", "Ms", "Miss", "Prof", "Sir", "Dame", "Lord", "Lady", "Gen", "Sen", "Rep",
]);
const PARTICLES = new Set(["de", "van", "von", "der", "ul", "al", "bin", "da", "di", "le", "la", "ur", "el"]);
const PRONOUN_SINGULAR = new Set(["he", "she", "He", "She"]);
const PRONOUN_PLURAL = new Set(["they", "They", "we", "We", "it", "It"]);
/** First words of an unnamed source ("One professor", "Critics"). */
const DETERMINERS = new Set(["A", "An", "One", "Some", "Many", "Another", "Two", "Three", "Several", "Most", "Other", "Others", "Few", "Both", "Critics", "Officials", "Experts", "Analysts", "People", "My", "Our", "His", "Her", "Their", "Your", "Its", "This", "That", "These", "Those", "Such", "Each", "Every", "No", "All", "Recent", "Local", "Western", "Chinese", "American", "Pakistani"]);
const LEADING_CONJUNCTIONS = /^(?:(?:When|After|Before|While|If|As|Although|Though|Since|Because|But|And|Yet|So|Then|Now|Still)\s+)+/u;
/** The first letters of LEADING_CONJUNCTIONS. */
const CONJUNCTION_INITIALS = "WABITSYN";
const WHITESPACE_RUN = /\s+/u;
const COURTESY_TITLE_THEN_SPACE = /^(?:Mr|Mrs|Ms|Dr)\s/u;
const CAMEL_CASE = /[a-z][A-Z]/u;
const ALL_CAPITALS = /^[A-Z0-9]{2,}$/u;
const LEADING = /^(?:(?:but|and|yet|so|still|however|indeed|meanwhile|moreover|now|then|also|instead|thus|as|even|later|earlier|today|recently|last\s+\w+|on\s+\w+\s+\w+|in\s+\w+(?:\s+\w+)?)\s*,?\s+)+/iu;
/** Words whose final dot ends no sentence; so does one capital letter ("U.S.", "J. Smith"). */
const ABBREVIATIONS = new Set(["Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Gen", "Sen", "Rep", "Prof", "Inc", "Co", "vs", "etc", "No"]);

/** `\w` (and so `\b`) in a pattern without the `i` flag: ASCII letters, digits and `_`. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * Whether the word that ends at `end` is an abbreviation, so that a dot at `end` ends no sentence.
 * Tested at every dot, hence without a slice or a pattern. ("U.S", "U.K" and "Ph.D" end in one
 * capital letter after a dot, which the single-capital rule covers.)
 */
function abbreviationEndsAt(s: string, end: number): boolean {
  let start = end;
  while (start > 0 && isWordChar(s.charCodeAt(start - 1))) start--;
  const length = end - start;
  if (length === 1) {
    const c = s.charCodeAt(start);
    return c >= 65 && c <= 90;
  }
  return length >= 2 && length <= 4 && ABBREVIATIONS.has(s.slice(start, end));
}

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

const FILLER = 0x3000; // what maskQuotes puts in place of quoted text
const SPACE = 0x20;

/**
 * Where sentences end in one block, found once (by scanBlock) and shared by every verb: a loop
 * over every character, once per verb, was several times slower.
 */
interface SentenceMarks {
  /** . ! ? ; with a space or the block's end after it and no abbreviation before it, in order. */
  stops: number[];
  /** Closing marks of quotes that end their own sentence (“….” Next), in order. */
  quoteEnds: number[];
}

/**
 * “….” Next: the filler at `i` has a space after it, and a stop inside a quote before it, and a
 * capital or a quote follows. Only the closing mark of a quote can be such a filler (inside a
 * quote, filler follows filler), so only those are tested.
 */
function quoteEndsSentenceAt(text: string, masked: string, i: number): boolean {
  if (masked.charCodeAt(i) !== FILLER || masked.charCodeAt(i + 1) !== SPACE) return false;
  const stop = text.charCodeAt(i - 1);
  if (!(stop === 0x2e || stop === 0x21 || stop === 0x3f) || masked.charCodeAt(i - 1) !== FILLER) return false;
  const next = masked.charCodeAt(i + 2);
  return (next >= 65 && next <= 90) || next === FILLER;
}

/** The last of the sorted `marks` in [1, before), or -1. */
function lastMarkBefore(marks: readonly number[], before: number): number {
  for (let k = marks.length - 1; k >= 0; k--) {
    const i = marks[k]!;
    if (i < before) return i > 0 ? i : -1;
  }
  return -1;
}

/**
 * Start of the sentence containing `pos`: after the last stop or sentence-ending quote before it.
 * (Every stop before `pos` has a space after it: `pos` is inside the block.)
 */
function sentenceStart(marks: SentenceMarks, pos: number): number {
  return Math.max(lastMarkBefore(marks.stops, pos), lastMarkBefore(marks.quoteEnds, pos)) + 1;
}

/** End (exclusive) of the sentence containing `pos`. */
function sentenceEnd(marks: SentenceMarks, masked: string, pos: number): number {
  for (const i of marks.stops) if (i >= pos) return i + 1;
  return masked.length;
}

function quoteEndingNear(spans: readonly QuoteSpan[], masked: string, pos: number): QuoteSpan | null {
  // "“…,” says X": the quote closes right before the verb/subject (spaces and a comma allowed).
  let i = pos - 1;
  while (i >= 0 && (masked.charCodeAt(i) === SPACE || masked.charCodeAt(i) === 0x2c)) i--;
  if (i < 0 || masked.charCodeAt(i) !== FILLER) return null;
  for (const s of spans) if (s.closed && s.close === i) return s;
  return null;
}

const NAME_TOKEN = /^(?:[A-Z][\p{L}'’\-]*\.?|[A-Z]\.|(?:ul|al|el|bin|ibn|abu|da|de|di|van|von)-[A-Z][\p{L}'’\-]*)$/u;

/** A final "’s" or "'s" (what `/[’']s$/u` matches). */
function endsWithPossessive(w: string): boolean {
  const n = w.length;
  if (n < 2 || w.charCodeAt(n - 1) !== 0x73) return false;
  const c = w.charCodeAt(n - 2);
  return c === 0x2019 || c === 0x27;
}

function stripPossessive(w: string): string {
  return endsWithPossessive(w) ? w.slice(0, -2) : w;
}

/** The word without one final dot ("Dr." → "Dr"). */
function withoutFinalDot(w: string): string {
  return w.endsWith(".") ? w.slice(0, -1) : w;
}

/** `HONORIFIC_WORDS` with an optional final dot, as one whole word. */
function isHonorific(w: string): boolean {
  return HONORIFIC_WORDS.has(withoutFinalDot(w));
}

/** NAME_TOKEN, tried only on words that can match it: capitalised, or a particle joined by "-". */
function isNameToken(w: string): boolean {
  const c = w.charCodeAt(0);
  return ((c >= 65 && c <= 90) || w.includes("-")) && NAME_TOKEN.test(w);
}

/** , ; : . */
function isClauseStop(c: number): boolean {
  return c === 0x2c || c === 0x3b || c === 0x3a || c === 0x2e;
}

/** The phrase without a final possessive and final stops, and without conjunctions that open it. */
function cleanPhrase(phrase: string): string {
  let s = stripPossessive(phrase);
  let end = s.length;
  while (end > 0 && isClauseStop(s.charCodeAt(end - 1))) end--;
  if (end < s.length) s = s.slice(0, end);
  // The pattern only for phrases that start with the first letter of a conjunction.
  if (CONJUNCTION_INITIALS.includes(s.charAt(0))) s = s.replace(LEADING_CONJUNCTIONS, "");
  return s.trim();
}

/** The words of a trimmed phrase (one word, the common case, without the pattern). */
function wordsOf(trimmed: string): string[] {
  if (trimmed.length === 0) return [];
  return hasJsSpace(trimmed) ? trimmed.split(WHITESPACE_RUN) : [trimmed];
}

/** A title, an office, a place or a possessive, stripped from the front of a name run. */
function isTitleOrPlace(w: string): boolean {
  return endsWithPossessive(w) || TITLE_WORDS.has(withoutFinalDot(w)) || PLACES.has(w);
}

/** Where the name in tokens[from, to) starts once titles and places are stripped (one word stays). */
function afterTitles(tokens: readonly string[], from: number, to: number): number {
  let i = from;
  while (to - i > 1 && isTitleOrPlace(tokens[i]!)) i++;
  return i;
}

function hasHonorificIn(tokens: readonly string[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (isHonorific(tokens[i]!)) return true;
  return false;
}

/** An organisation, a place, a title or a possessive rather than a person's name. */
function isOrgLike(n: string): boolean {
  return PLACES.has(n) || TITLE_WORDS.has(n) || endsWithPossessive(n) || ORG_WORDS.test(n) || CAMEL_CASE.test(n) || ALL_CAPITALS.test(n);
}

function classifyName(phrase: string, known: KnownPeople): SubjectRef | null {
  const clean = cleanPhrase(phrase);
  const tokens = wordsOf(clean);
  if (tokens.length === 0) return null;
  const lastTok = tokens[tokens.length - 1]!;
  if (PRONOUN_SINGULAR.has(lastTok)) return { type: "pronoun" };
  if (tokens.length === 1 && PRONOUN_PLURAL.has(lastTok)) return { type: "other", label: lastTok, group: "unnamed" };
  const first = tokens[0]!;
  const initial = first.charCodeAt(0);
  // (A lower-case word is never an honorific: they are all capitalised.)
  if ((initial >= 97 && initial <= 122) || DETERMINERS.has(first)) {
    // "a senior official", "one professor", "people involved in the process", "My friend’s parents"
    return { type: "other", label: clean, group: "unnamed" };
  }
  // The name is the run of capitalised words that ends the phrase ("…Minister Nong Rong").
  const b = tokens.length;
  let a = b;
  while (a > 0 && (isNameToken(tokens[a - 1]!) || (PARTICLES.has(tokens[a - 1]!) && a < b))) a--;
  const nameStart = afterTitles(tokens, a, b);
  let hasHonorific = hasHonorificIn(tokens, a, nameStart);
  const name = tokens.slice(nameStart, b).join(" ");
  if (a > 0 && tokens[a - 1] === "of") {
    // "Robert Quinn of Scholars At Risk": the person is the run before "of", when it is a name.
    const ofAt = a - 1;
    let s2 = ofAt;
    while (s2 > 0 && isNameToken(tokens[s2 - 1]!)) s2--;
    const before = tokens.slice(s2, ofAt);
    if (before.length >= 2 && !before.some((w) => TITLE_WORDS.has(w) || PLACES.has(stripPossessive(w)))) {
      const n = before.join(" ");
      if (!ORG_WORDS.test(n)) return person(n, false, tokens, s2, ofAt);
    }
  }
  if (nameStart === b || isOrgLike(name)) {
    // "Ronan Lee of Queen Mary University", "Johnny Patterson of Hong Kong Watch": the run before "of".
    const ofAt = tokens.indexOf("of");
    if (ofAt > 0 && isNameToken(tokens[ofAt - 1]!)) {
      let s2 = ofAt;
      while (s2 > 0 && isNameToken(tokens[s2 - 1]!)) s2--;
      const start = afterTitles(tokens, s2, ofAt);
      if (hasHonorificIn(tokens, s2, start)) hasHonorific = true;
      const n = tokens.slice(start, ofAt).join(" ");
      if (start < ofAt && !isOrgLike(n)) return person(n, hasHonorific, tokens, s2, ofAt);
    }
    return { type: "other", label: clean, group: "org" };
  }
  if (a === b) return { type: "other", label: clean, group: "unnamed" };
  if (name.length === 0) return null;
  return person(name, hasHonorific, tokens, a, b);
}

/** Mr, Mrs, Ms, Miss, Dr, with or without a dot: kept in front of the name. */
function isCourtesyTitle(w: string): boolean {
  return COURTESY_TITLES.has(withoutFinalDot(w));
}

function person(name: string, hasHonorific: boolean, tokens: readonly string[], a: number, b: number): SubjectRef {
  let honorific: string | undefined;
  if (hasHonorific) {
    for (let i = a; i < b && honorific === undefined; i++) if (isCourtesyTitle(tokens[i]!)) honorific = tokens[i];
  }
  const surface = honorific !== undefined ? `${honorific} ${name}` : name;
  return { type: "person", surface, romanized: null, role: roleOf(tokens, a, b) };
}

/** The words around the name: the title before it ("Foreign Minister"), else the appositive after it. */
function roleOf(tokens: readonly string[], a: number, b: number): string {
  let before = tokens.slice(0, a).join(" ");
  if (before.endsWith(",")) before = before.slice(0, -1);
  if (before.length > 0) return before.slice(0, 120);
  let after = tokens.slice(b).join(" ");
  if (after.startsWith(",")) {
    let k = 1;
    while (k < after.length && isJsSpace(after.charCodeAt(k))) k++;
    after = after.slice(k);
  }
  return after.slice(0, 120);
}

/** Where the subject phrase right before the verb begins: after the last comma in [from, to). */
function subjectStartIn(masked: string, from: number, to: number): number {
  const comma = masked.lastIndexOf(",", to - 1);
  return comma >= from ? comma + 1 : from;
}

/** Two or more people listed as one subject (roles in lower case between them are allowed). */
function jointSubjects(phrase: string, known: KnownPeople): SubjectRef[] | null {
  if (!/,|\band\b/u.test(phrase)) return null;
  const parts = phrase.split(/\s*,\s*(?:and\s+)?|\s+and\s+/u).filter((p) => p.length > 0);
  if (parts.length < 2) return null;
  const people: SubjectRef[] = [];
  for (const part of parts) {
    if (/^(?:the|a|an|its|his|her)\s/iu.test(part) || /^[a-z]/u.test(part)) continue; // "the FBI director"
    const ref = classifyName(part, known);
    if (ref === null || ref.type !== "person") return null;
    people.push(ref);
  }
  return people.length >= 2 ? people : null;
}

/** `s` without the run of , ; : and `\s` that opens it. */
function withoutLeadingPunctuation(s: string): string {
  let i = 0;
  while (i < s.length && (isJsSpace(s.charCodeAt(i)) || s.charCodeAt(i) === 0x2c || s.charCodeAt(i) === 0x3b || s.charCodeAt(i) === 0x3a)) i++;
  return i === 0 ? s : s.slice(i);
}

/** Whether `s` ends with `\s` and then `word` (what `/\sword$/u` tests, without scanning all of `s`). */
function endsWithWord(s: string, word: string): boolean {
  return s.length > word.length && s.endsWith(word) && isJsSpace(s.charCodeAt(s.length - word.length - 1));
}

const APPOSITIVE = /^(.*?),\s*(?:a|an|the|who|which|one|whose|now|then|formerly|its|his|her)\b.*,?$/u;
const PHRASE_AFTER = /\s*([^,.;:“”"(]*)/uy;
/** Words that end a name after an inverted verb: "said X in an interview", "said X, who…". */
const NAME_ENDERS = new Set(["in", "during", "at", "on", "when", "while", "who", "which", "after", "before", "from", "recently", "last", "this", "to", "that"]);
const UNNAMED_OPENING = /^(?:a|an|the|one|another|some|many)$/iu;

/** The subject of a normal-order clause "…, X (, appositive,) said". */
function subjectBefore(text: string, from: number, to: number, known: KnownPeople): SubjectRef | SubjectRef[] | null {
  let phrase = text.slice(from, to).trim();
  // "(Mr Miller retorted that…)": a parenthetical opens its own clause.
  const paren = phrase.lastIndexOf("(");
  if (paren >= 0 && !phrase.includes(")", paren)) phrase = phrase.slice(paren + 1);
  phrase = withoutLeadingPunctuation(phrase).replace(LEADING, "");
  if (phrase.length === 0) return null;
  // "he quoted Mao Zedong and said": the subject of the first verb speaks.
  if (endsWithWord(phrase, "and") || endsWithWord(phrase, "but") || endsWithWord(phrase, "then")) {
    const lead = /^(?:(he|she|He|She)|((?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'-]*(?:\s+[A-Z][\p{L}’'-]*)*))\s+[a-z]/u.exec(phrase);
    if (lead === null) return null;
    phrase = lead[1] ?? lead[2] ?? "";
  }
  // "The national security adviser, Robert O’Brien, the FBI director, Christopher Wray, … and Mr
  // Pompeo argued": a joint statement, one quote per person.
  const joint = jointSubjects(phrase, known);
  if (joint !== null) return joint;
  // Drop a trailing appositive: "Muhammad Safdar, an Islamabad-based researcher,"
  const appos = phrase.includes(",") ? APPOSITIVE.exec(phrase) : null;
  if (appos !== null && appos[1] !== undefined && appos[1].length > 0) phrase = appos[1];
  if (phrase.endsWith(",")) phrase = phrase.slice(0, -1);
  if (splitsIntoAtLeast(phrase, 13)) {
    // Too long for a subject: keep the last clause after a comma.
    phrase = phrase.slice(phrase.lastIndexOf(",") + 1).trim();
  }
  return classifyName(phrase, known);
}

/** The subject of an inverted clause "said X, a professor…" / "says X." */
function subjectAfter(text: string, from: number, known: KnownPeople): { ref: SubjectRef | null; end: number } {
  const m = execAt(PHRASE_AFTER, text, from);
  let phrase = (m?.[1] ?? "").trim();
  // Cut at a lowercase word that ends the name: "in an interview", "during", "who".
  const tokens = phrase.split(WHITESPACE_RUN);
  let cut = tokens.length;
  let unnamedOpening: boolean | undefined;
  for (let i = 1; i < tokens.length; i++) {
    const w = tokens[i]!;
    if (NAME_ENDERS.has(w) && !(unnamedOpening ??= UNNAMED_OPENING.test(tokens[0]!))) {
      if (w === "to" || w === "of") continue;
      cut = i;
      break;
    }
  }
  phrase = tokens.slice(0, cut).join(" ");
  return { ref: classifyName(phrase, known), end: from + (m?.[0].length ?? 0) };
}

const NAMED_PERSON = /\b(?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'-]+(?:\s+(?:[A-Z][\p{L}’'-]+|ul|al|bin|de|van|von))*/gu;

/** The one person (known, or with an honorific) named outside quotes in [from, to), if exactly one. */
function personInSentence(text: string, masked: string, from: number, to: number, known: KnownPeople): SubjectRef | null {
  let found: SubjectRef | null = null;
  NAMED_PERSON.lastIndex = from;
  for (let m = NAMED_PERSON.exec(masked); m !== null && m.index < to; m = NAMED_PERSON.exec(masked)) {
    const ref = classifyName(text.slice(m.index, m.index + m[0].length), known);
    if (ref === null || ref.type !== "person") continue;
    if (!ref.surface.includes(" ") && !COURTESY_TITLE_THEN_SPACE.test(ref.surface) && !known.isKnown(ref.surface)) continue;
    if (found !== null && found.type === "person" && found.surface !== ref.surface) return null;
    found = ref;
  }
  return found;
}

/** The name that opens a sentence, read within its first SENTENCE_SUBJECT_WINDOW characters. */
const SENTENCE_SUBJECT = /^(?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'-]+(?:\s+(?:[A-Z][\p{L}’'-]+|ul|al|bin))*(?=\s+[a-z])/u;
const SENTENCE_SUBJECT_WINDOW = 80;

/** A-Z a-z ’ ' -: the ASCII part of SENTENCE_SUBJECT's `[\p{L}’'-]`. */
function isPlainNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 0x2019 || c === 0x27 || c === 0x2d;
}

/**
 * What SENTENCE_SUBJECT matches at `s` (a capital letter) in the common cases that can be read
 * without the pattern, or undefined when only the pattern can tell.
 * - One plain word, spaces, then a lower-case word ("The government…"): that word. The optional
 *   title cannot apply (the word is no title), no second name word can follow, and the lookahead
 *   holds. Not so for a title, a following "ul"/"al"/"bin", or the lower-case letter beyond the
 *   window: undefined.
 * - A plain word, then an ASCII character that is no space ("However, …", "In 2019") or the end:
 *   null. The name must be followed by a space, and no shorter word is.
 * - Anything else (other letters after the word, other characters): undefined.
 */
function openingWordMatch(masked: string, s: number): string | null | undefined {
  let end = s + 1;
  while (end < masked.length && isPlainNameChar(masked.charCodeAt(end))) end++;
  const after = masked.charCodeAt(end);
  if (Number.isNaN(after) || (after < 0x80 && !isJsSpace(after))) return end - s < SENTENCE_SUBJECT_WINDOW ? null : undefined;
  if (end - s < 2 || !isJsSpace(after)) return undefined;
  let next = end;
  while (next < masked.length && isJsSpace(masked.charCodeAt(next))) next++;
  const c = masked.charCodeAt(next);
  if (!(c >= 97 && c <= 122) || next - s >= SENTENCE_SUBJECT_WINDOW) return undefined;
  if (masked.startsWith("ul", next) || masked.startsWith("al", next) || masked.startsWith("bin", next)) return undefined;
  const word = masked.slice(s, end);
  return COURTESY_TITLES.has(word) ? undefined : word;
}

/** Sentences that open with a person's name: whom a pronoun means when nobody has spoken yet. */
function sentenceSubjects(masked: string, marks: SentenceMarks, known: KnownPeople): Attribution[] {
  const out: Attribution[] = [];
  const starts = [0];
  // After . ! ? and a space (not ;, not the block's end).
  for (const i of marks.stops) if (i > 0 && masked.charCodeAt(i) !== 0x3b && masked.charCodeAt(i + 1) === SPACE) starts.push(i + 2);
  for (const s of starts) {
    // A name opens with a capital letter: skip the pattern for every other sentence.
    const first = masked.charCodeAt(s);
    if (!(first >= 65 && first <= 90)) continue;
    // One word ("The", "Khan") is a person only as itself and counts only when already known: ask
    // that first, and read the word only then (classifyName would make it that very surface).
    const word = openingWordMatch(masked, s);
    if (word === null || (word !== undefined && !known.isKnown(stripPossessive(word)))) continue;
    const m = SENTENCE_SUBJECT.exec(masked.slice(s, s + SENTENCE_SUBJECT_WINDOW));
    if (m === null) continue;
    if (!hasJsSpace(m[0]) && !known.isKnown(stripPossessive(m[0]))) continue;
    const ref = classifyName(m[0], known);
    if (ref === null || ref.type !== "person") continue;
    // A one-word name only when known or with a title (the cheap tests first).
    if (!ref.surface.includes(" ") && !COURTESY_TITLE_THEN_SPACE.test(m[0]) && !known.isKnown(ref.surface)) continue;
    out.push({ subjects: [ref], text: "", kind: "indirect", cue: "", mention: "fallback", at: s });
  }
  return out;
}

/** `re` (sticky) matched at `at`: what `^` on `s.slice(at)` would match, without the slice. */
function execAt(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

function testAt(re: RegExp, s: string, at: number): boolean {
  re.lastIndex = at;
  return re.test(s);
}

const NEXT_WORD = /\s*([\p{L}’'-]+)/uy;
const NAME_DETERMINERS = new Set(["a", "an", "the", "one", "another"]);
const PASSIVE_VERBS = new Set(["told", "called", "reported", "said"]);
const PASSIVE_AUXILIARY_BEFORE = /\b(?:been|be|being|was|were|is|are)\s+$/u;
const PHRASAL_VERBS = new Set(["add", "adds", "added", "call", "calls", "called", "point", "points", "report", "reports", "reported"]);
const PHRASAL_PARTICLES = new Set(["to", "for", "on", "up", "off", "in"]);
const HE_OR_SHE_NEXT = /\s*(?:he|she)\b/iuy;
const NAME_ONLY = /^[\s,]*(?:(?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'.-]*(?:\s+(?:[A-Z][\p{L}’'.-]*|ul|al|bin|de|van|von))*(?:\s*,[^,]*,)?|he|she|He|She|they|They)\s*$/u;
/** Verbs with a listener before the words: "told me that…". */
const TELLING_VERBS = new Set(["told", "tells", "persuaded", "persuades"]);
const LISTENER = /\s*(?:(?:me|us|him|her|them|reporters|journalists|The\s+\w+|the\s+\w+|[A-Z]\w+)\s*)?(?:that\s+|,\s*|:\s*)?/uy;
const THAT_NEXT = /\s*,?\s*(?:that\s+)?/uy;
const STOP_NEXT = /\s*[,.;]/uy;
const COMMA_NEXT = /\s*,/uy;

/** Just after the last quote in [from, before), or -1. */
function afterLastQuote(masked: string, from: number, before: number): number {
  if (before <= 0) return -1;
  const i = masked.lastIndexOf("\u3000", before - 1);
  return i >= from ? i + 1 : -1;
}

/** Length of the run of `\s` and commas that opens `s`. */
function leadingSpacesAndCommas(s: string): number {
  let i = 0;
  while (i < s.length && (isJsSpace(s.charCodeAt(i)) || s.charCodeAt(i) === 0x2c)) i++;
  return i;
}

/** Whether masked[from, to) ends with a comma and optional `\s`. */
function commaEndsBefore(masked: string, from: number, to: number): boolean {
  let i = to - 1;
  while (i >= from && isJsSpace(masked.charCodeAt(i))) i--;
  return i >= from && masked.charCodeAt(i) === 0x2c;
}

/** `s.split(/\s+/u).length >= pieces`, counted without building the array (a piece per run of `\s`, plus one). */
function splitsIntoAtLeast(s: string, pieces: number): boolean {
  let count = 1;
  let inSpace = false;
  for (let i = 0; i < s.length; i++) {
    const space = isJsSpace(s.charCodeAt(i));
    if (space && !inSpace && ++count >= pieces) return true;
    inSpace = space;
  }
  return count >= pieces;
}

/** Every attribution in the block, in reading order. */
export function readEnglishBlock(text: string, known: KnownPeople): Attribution[] {
  const spans = findQuoteSpans(text);
  const masked = maskQuotes(text, spans);
  const { verbs, marks } = scanBlock(text, masked, spans);
  const found: EnCue[] = [];
  for (const m of verbs) {
    const verb = m.verb;
    const verbStart = m.index;
    // A reporting verb inside what someone else is reported to have said is part of that statement.
    if (found.some((f) => f.content !== null && verbStart >= f.content[0] && verbStart < f.content[1])) continue;
    const verbEnd = m.end;
    const sStart = sentenceStart(marks, verbStart);
    const sEnd = sentenceEnd(marks, masked, verbEnd);
    if (m.according) {
      const { ref, end } = subjectAfter(text, verbEnd, known);
      if (ref === null) continue;
      let content: [number, number];
      const lead = masked.slice(sStart, verbStart).trim();
      if (lead.length === 0 || /^(?:but|and|yet|so)$/iu.test(lead)) content = [end, sEnd];
      else content = [sStart, verbStart];
      found.push({ verbStart, verbEnd, verb, inverted: true, subjects: [ref], subjectEdge: end, trailingQuote: null, content });
      continue;
    }
    // Inverted when a comma or a closing quote comes right before the verb and a name (or he/she,
    // or a determiner) right after it: "…,” says Mr Perry" — not "X, a professor, says that…".
    let p = verbStart - 1;
    while (p >= 0 && masked.charCodeAt(p) === SPACE) p--;
    const prev = p >= 0 ? masked.charCodeAt(p) : -1;
    const nextWord = execAt(NEXT_WORD, masked, verbEnd)?.[1] ?? "";
    const nextInitial = nextWord.charCodeAt(0);
    const nameNext = (nextInitial >= 65 && nextInitial <= 90) || NAME_DETERMINERS.has(nextWord);
    const inverted = (prev === 0x2c || prev === FILLER) && nameNext && nextWord !== "that";
    // "was told", "is said": passive, no speaker here.
    if (PASSIVE_VERBS.has(verb) && PASSIVE_AUXILIARY_BEFORE.test(masked.slice(Math.max(0, verbStart - 12), verbStart))) continue;
    // "added to", "called for", "pointed to", "reported on": no words reported.
    if (PHRASAL_VERBS.has(verb) && PHRASAL_PARTICLES.has(nextWord)) continue;
    if ((verb === "called" || verb === "calls") && !spans.some((sp) => sp.open > verbEnd && sp.open - verbEnd < 40)) continue;
    if (inverted) {
      const { ref, end } = subjectAfter(text, verbEnd, known);
      if (ref === null || ref.type === "pronoun" && !testAt(HE_OR_SHE_NEXT, text, verbEnd)) continue;
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
    const qBefore = afterLastQuote(masked, sStart, verbStart);
    if (qBefore > from) from = qBefore;
    // "Khan sought to overthrow Sharif’s government, alleging that…": a participle's subject is
    // the sentence's.
    const participle = verb.endsWith("ing") ? /^\s*((?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'-]+(?:\s+[A-Z][\p{L}’'-]+)*|[Hh]e|[Ss]he)\s+[a-z]/u.exec(text.slice(sStart, verbStart)) : null;
    const subjectOrList = participle !== null ? classifyName(participle[1] ?? "", known) : subjectBefore(text, from, verbStart, known);
    if (subjectOrList === null) continue;
    const list = Array.isArray(subjectOrList) ? subjectOrList : null;
    let subject: SubjectRef = Array.isArray(subjectOrList) ? subjectOrList[0]! : subjectOrList;
    if (subject.type === "pronoun") {
      // "When Ronan Lee … conducted field work, “…”, he writes": the person this sentence names.
      const named = personInSentence(text, masked, sStart, from, known);
      if (named !== null) subject = named;
    }
    if (subject.type === "other" && splitsIntoAtLeast(subject.label, 9)) continue;
    // "“…,” Juying told me" / "“…,” Muhammad Safdar, an Islamabad-based researcher, says": only a
    // name or a pronoun (and an appositive) may stand between the quote and the verb.
    let trailingQuote: QuoteSpan | null = null;
    if (qBefore > 0) {
      const between = text.slice(qBefore, verbStart);
      if (NAME_ONLY.test(between)) trailingQuote = quoteEndingNear(spans, masked, from + leadingSpacesAndCommas(between));
    }
    // What follows the verb: skip the listener of "told" and a "that".
    let c = verbEnd;
    if (TELLING_VERBS.has(verb)) {
      const listener = execAt(LISTENER, masked, verbEnd);
      // "told me that…", "told The Economist:" — but "told officials to check…" reports no words.
      // "told officials to check orders" reports an instruction, not words.
      if ((listener === null || !/(?:that\s+|[,:]\s*)$/u.test(listener[0])) && trailingQuote === null) continue;
      if (listener !== null) c += listener[0].length;
    } else {
      const that = execAt(THAT_NEXT, masked, verbEnd);
      if (that !== null) c += that[0].length;
    }
    let content: [number, number] | null = null;
    const subjectAt = subjectStartIn(masked, sStart, verbStart);
    if (trailingQuote !== null) content = null;
    else if (testAt(STOP_NEXT, masked, verbEnd) && commaEndsBefore(masked, sStart, subjectAt)) {
      // "Now he spends ten hours a day online, he reckons, …" / "…on Facebook, she says."
      content = [sStart, Math.max(sStart, masked.lastIndexOf(",", subjectAt - 1))];
      if (!splitsIntoAtLeast(masked.slice(content[0], content[1]).trim(), 3)) {
        // "But, he says, “The business is yet to come…”": the quote that follows is the statement.
        const next = spans.find((sp) => sp.open > verbEnd && sp.open - verbEnd <= 3);
        content = next !== undefined ? [next.open, next.closed ? next.close + 1 : text.length] : null;
      }
    }
    else if (c < masked.length && masked.charCodeAt(c) !== 0x2e && masked.charCodeAt(c) !== 0x2c && !testAt(COMMA_NEXT, masked, verbEnd)) content = [c, sEnd];
    else if (trailingQuote === null && c < masked.length && masked.charCodeAt(c) === 0x2c) {
      const nextQ = spans.find((s) => s.open > c && s.open <= c + 3);
      if (nextQ !== undefined) content = [nextQ.open, nextQ.closed ? nextQ.close + 1 : text.length];
    }
    found.push({ verbStart, verbEnd, verb, inverted: false, subjects: list ?? [subject], subjectEdge: from, trailingQuote, content });
  }
  return toAttributions(text, masked, spans, found, sentenceSubjects(masked, marks, known));
}

/** Spaces, commas, colons and dashes around a statement (what `/[\s,;:—–-]/u` matches). */
function isOuter(c: number): boolean {
  return isJsSpace(c) || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x2014 || c === 0x2013 || c === 0x2d;
}

/** `\s` in a JavaScript pattern. */
function isJsSpace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function hasJsSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isJsSpace(s.charCodeAt(i))) return true;
  return false;
}

function stripOuter(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isOuter(s.charCodeAt(a))) a++;
  while (b > a && isOuter(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** A quote after this (and spaces) stands as a sentence of its own: a filler, . ; : ! ? , or —. */
function opensQuotedSentence(c: number): boolean {
  return c === FILLER || c === 0x2e || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f || c === 0x2c || c === 0x2014;
}

/**
 * Whether masked[a, b) is nothing but one quote: filler once stripped of outer characters and a
 * final dot (what `stripOuter(masked.slice(a, b)).replace(/[.]$/u, "")` leaves).
 */
function isOnlyQuote(masked: string, a: number, b: number): boolean {
  let x = a;
  let y = Math.min(b, masked.length);
  while (x < y && isOuter(masked.charCodeAt(x))) x++;
  while (y > x && isOuter(masked.charCodeAt(y - 1))) y--;
  if (y > x && masked.charCodeAt(y - 1) === 0x2e) y--;
  for (let k = x; k < y; k++) if (masked.charCodeAt(k) !== FILLER) return false;
  return true;
}

/** Whether masked[from, to) ends with a colon and optional `\s`. */
function colonEndsBefore(masked: string, from: number, to: number): boolean {
  let i = to - 1;
  while (i >= from && isJsSpace(masked.charCodeAt(i))) i--;
  return i >= from && masked.charCodeAt(i) === 0x3a;
}

function isInReadingOrder(out: readonly Attribution[]): boolean {
  for (let k = 1; k < out.length; k++) if ((out[k - 1]!.at ?? 0) > (out[k]!.at ?? 0)) return false;
  return true;
}

function toAttributions(text: string, masked: string, spans: readonly QuoteSpan[], found: EnCue[], named: Attribution[]): Attribution[] {
  const out: Attribution[] = [];
  const claimed = new Set<QuoteSpan>();
  const covered: Array<[number, number]> = [];
  for (const c of found) {
    if (c.trailingQuote !== null && !claimed.has(c.trailingQuote)) {
      claimed.add(c.trailingQuote);
      const q = text.slice(c.trailingQuote.open + 1, c.trailingQuote.close).trim();
      if (q.length > 1) out.push({ subjects: c.subjects, text: q, kind: "direct", cue: c.verb, at: c.trailingQuote.open });
    }
    if (c.content === null) {
      // Nothing said in this sentence, but "he" now means this speaker.
      if (c.trailingQuote === null) out.push({ subjects: c.subjects, text: "", kind: "indirect", cue: c.verb, at: c.verbStart });
      continue;
    }
    const [a, b] = c.content;
    covered.push([a, b]);
    const inside = spans.filter((s) => s.open >= a && s.open < b);
    const only = inside[0];
    if (only !== undefined && inside.length === 1 && isOnlyQuote(masked, a, b)) {
      claimed.add(only);
      out.push({ subjects: c.subjects, text: text.slice(only.open + 1, only.close).trim(), kind: "direct", cue: c.verb, at: a });
      continue;
    }
    const afterColon = inside.find((sp) => colonEndsBefore(masked, a, sp.open));
    if (afterColon !== undefined) {
      // "…is starting to reassess its strategy: “There is a reassessment…”" — the quote stands alone.
      const lead = stripOuter(text.slice(a, afterColon.open));
      if (/[\p{L}]{2,}/u.test(lead)) out.push({ subjects: c.subjects, text: lead, kind: "indirect", cue: c.verb, at: a });
      claimed.add(afterColon);
      out.push({ subjects: c.subjects, text: text.slice(afterColon.open + 1, afterColon.close).trim(), kind: "direct", cue: c.verb, at: afterColon.open });
      continue;
    }
    for (const s of inside) claimed.add(s);
    const body = withoutFinalDot(stripOuter(text.slice(a, b)));
    out.push({ subjects: c.subjects, text: /[\p{L}]{2,}/u.test(body) ? body : "", kind: "indirect", cue: c.verb, at: a });
  }
  for (const span of spans) {
    if (claimed.has(span) || covered.some(([a, b]) => span.open >= a && span.open < b)) continue;
    let i = span.open - 1;
    while (i >= 0 && masked.charCodeAt(i) === SPACE) i--;
    if (!(i < 0 || opensQuotedSentence(masked.charCodeAt(i)))) continue;
    const q = text.slice(span.open + 1, span.close).trim();
    if (!splitsIntoAtLeast(q, 4)) continue;
    const previous = found.filter((c) => c.verbStart < span.open).at(-1);
    // No cue before it in this paragraph: the person the paragraph's sentence names, if any.
    const subject = named.filter((a) => (a.at ?? 0) < span.open).at(-1);
    out.push({ subjects: previous?.subjects ?? subject?.subjects ?? [{ type: "continuation" }], text: q, kind: "direct", cue: "“”", at: span.open });
  }
  out.push(...named);
  // Stable: already in order (the common case) means nothing to do.
  return isInReadingOrder(out) ? out : out.sort((x, y) => (x.at ?? 0) - (y.at ?? 0));
}
