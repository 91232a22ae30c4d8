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
const VERB_ALTERNATION = `\\b(${VERBS.map((v) => v.replace(" ", "\\s+")).join("|")})\\b|\\b(according\\s+to)\\b`;
/** Run on lower-cased text: a case-sensitive alternation is several times faster than an `i` one. */
const VERB_RE_LOWER = new RegExp(VERB_ALTERNATION, "gu");
/** The same, case-insensitive, for the rare text whose lower-case form changes length ("İ"). */
const VERB_RE_ANY_CASE = new RegExp(VERB_ALTERNATION, "giu");

interface VerbMatch {
  index: number;
  /** The verb as written, spaces included. */
  text: string;
}

/** Every reporting verb in the block, as a whole word, in any case. */
function findVerbs(masked: string): VerbMatch[] {
  const lower = masked.toLowerCase();
  const [re, subject] = lower.length === masked.length ? [VERB_RE_LOWER, lower] : [VERB_RE_ANY_CASE, masked];
  const out: VerbMatch[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(subject); m !== null; m = re.exec(subject)) out.push({ index: m.index, text: masked.slice(m.index, m.index + m[0].length) });
  return out;
}

const HONORIFICS = /^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|President|President-elect|Senator|Sen|Rep|General|Gen|Governor|Judge|Sir|Dame|Lord|Lady|Ambassador|Minister|Premier|Chancellor|Secretary|Mayor)\.?$/u;
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
const PRONOUN_SINGULAR = /^(?:he|she|He|She)$/u;
const PRONOUN_PLURAL = /^(?:they|They|we|We|it|It)$/u;
const DETERMINERS = /^(?:A|An|One|Some|Many|Another|Two|Three|Several|Most|Other|Others|Few|Both|Critics|Officials|Experts|Analysts|People|My|Our|His|Her|Their|Your|Its|This|That|These|Those|Such|Each|Every|No|All|Recent|Local|Western|Chinese|American|Pakistani)$/u;
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

/**
 * Start of the sentence containing `pos`. `masked` has quotes as filler; a quote that ends its
 * own sentence (“….” Next) closes the sentence too, and that is read from `text`.
 */
function sentenceStart(text: string, masked: string, pos: number): number {
  for (let i = pos - 1; i > 0; i--) {
    const c = masked[i]!;
    if ((c === "." || c === "!" || c === "?" || c === ";") && masked[i + 1] === " " && !ABBREVIATIONS.test(masked.slice(Math.max(0, i - 6), i))) return i + 1;
    if (c === "\u3000" && masked[i + 1] === " " && /[.!?]/u.test(text[i - 1] ?? "") && masked[i - 1] === "\u3000" && /[A-Z\u3000]/u.test(masked[i + 2] ?? "")) return i + 1;
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

const NAME_TOKEN = /^(?:[A-Z][\p{L}'’\-]*\.?|[A-Z]\.|(?:ul|al|el|bin|ibn|abu|da|de|di|van|von)-[A-Z][\p{L}'’\-]*)$/u;

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

function stripPossessive(w: string): string {
  return w.replace(/[’']s$/u, "");
}

function classifyName(phrase: string, known: KnownPeople): SubjectRef | null {
  const clean = phrase.replace(/[’']s$/u, "").replace(/[,;:.]+$/u, "").replace(/^(?:(?:When|After|Before|While|If|As|Although|Though|Since|Because|But|And|Yet|So|Then|Now|Still)\s+)+/u, "").trim();
  const tokens = clean.split(/\s+/u).filter((t) => t.length > 0);
  if (tokens.length === 0) return null;
  const lastTok = tokens[tokens.length - 1]!;
  if (PRONOUN_SINGULAR.test(lastTok)) return { type: "pronoun" };
  if (tokens.length === 1 && PRONOUN_PLURAL.test(lastTok)) return { type: "other", label: lastTok, group: "unnamed" };
  const first = tokens[0]!;
  if ((/^[a-z]/u.test(first) && !HONORIFICS.test(first)) || DETERMINERS.test(first)) {
    // "a senior official", "one professor", "people involved in the process", "My friend’s parents"
    return { type: "other", label: clean, group: "unnamed" };
  }
  // The name is the run of capitalised words that ends the phrase ("…Minister Nong Rong").
  let b = tokens.length;
  let a = b;
  while (a > 0 && (NAME_TOKEN.test(tokens[a - 1]!) || (PARTICLES.has(tokens[a - 1]!) && a < b))) a--;
  let words = tokens.slice(a, b);
  let hasHonorific = false;
  const strip = (ws: string[]): string[] => {
    let out = ws;
    while (out.length > 1 && (TITLE_WORDS.has(stripPossessive(out[0]!).replace(/\.$/u, "")) || PLACES.has(stripPossessive(out[0]!)) || /[’']s$/u.test(out[0]!))) {
      if (HONORIFICS.test(out[0]!)) hasHonorific = true;
      out = out.slice(1);
    }
    return out;
  };
  words = strip(words);
  let name = words.join(" ");
  if (a > 0 && tokens[a - 1] === "of") {
    // "Robert Quinn of Scholars At Risk": the person is the run before "of", when it is a name.
    const ofAt = a - 1;
    let s2 = ofAt;
    while (s2 > 0 && NAME_TOKEN.test(tokens[s2 - 1]!)) s2--;
    const before = tokens.slice(s2, ofAt);
    const n = before.join(" ");
    if (before.length >= 2 && !ORG_WORDS.test(n) && !before.some((w) => TITLE_WORDS.has(w) || PLACES.has(stripPossessive(w)))) {
      return person(n, false, tokens, s2, ofAt);
    }
  }
  const orgLike = (n: string): boolean => ORG_WORDS.test(n) || /[a-z][A-Z]/u.test(n) || /^[A-Z0-9]{2,}$/u.test(n) || PLACES.has(n) || TITLE_WORDS.has(n) || /[’']s$/u.test(n);
  if (words.length === 0 || orgLike(name)) {
    // "Ronan Lee of Queen Mary University", "Johnny Patterson of Hong Kong Watch": the run before "of".
    const ofAt = tokens.indexOf("of");
    if (ofAt > 0 && NAME_TOKEN.test(tokens[ofAt - 1]!)) {
      let s2 = ofAt;
      while (s2 > 0 && NAME_TOKEN.test(tokens[s2 - 1]!)) s2--;
      const before = strip(tokens.slice(s2, ofAt));
      const n = before.join(" ");
      if (before.length > 0 && !orgLike(n)) return person(n, hasHonorific, tokens, s2, ofAt);
    }
    return { type: "other", label: clean, group: "org" };
  }
  if (a === b) return { type: "other", label: clean, group: "unnamed" };
  if (name.length === 0) return null;
  return person(name, hasHonorific, tokens, a, b);
}

function person(name: string, hasHonorific: boolean, tokens: readonly string[], a: number, b: number): SubjectRef {
  const honorific = tokens.slice(a, b).find((w) => /^(?:Mr|Mrs|Ms|Miss|Dr)\.?$/u.test(w));
  const surface = hasHonorific && honorific !== undefined ? `${honorific} ${name}` : name;
  return { type: "person", surface, romanized: null, role: roleOf(tokens, a, b) };
}

function roleOf(tokens: readonly string[], a: number, b: number): string {
  const before = tokens.slice(0, a).join(" ").replace(/,$/u, "");
  const after = tokens.slice(b).join(" ").replace(/^,\s*/u, "");
  return (before.length > 0 ? before : after).slice(0, 120);
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

/** The subject of a normal-order clause "…, X (, appositive,) said". */
function subjectBefore(text: string, from: number, to: number, known: KnownPeople): SubjectRef | SubjectRef[] | null {
  let phrase = text.slice(from, to).trim();
  // "(Mr Miller retorted that…)": a parenthetical opens its own clause.
  const paren = phrase.lastIndexOf("(");
  if (paren >= 0 && !phrase.includes(")", paren)) phrase = phrase.slice(paren + 1);
  phrase = phrase.replace(/^[,;:\s]+/u, "").replace(LEADING, "");
  if (phrase.length === 0) return null;
  // "he quoted Mao Zedong and said": the subject of the first verb speaks.
  if (/\s(?:and|but|then)$/u.test(phrase)) {
    const lead = /^(?:(he|she|He|She)|((?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'-]*(?:\s+[A-Z][\p{L}’'-]*)*))\s+[a-z]/u.exec(phrase);
    if (lead === null) return null;
    phrase = lead[1] ?? lead[2] ?? "";
  }
  // "The national security adviser, Robert O’Brien, the FBI director, Christopher Wray, … and Mr
  // Pompeo argued": a joint statement, one quote per person.
  const joint = jointSubjects(phrase, known);
  if (joint !== null) return joint;
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

const NAMED_PERSON = /\b(?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'-]+(?:\s+(?:[A-Z][\p{L}’'-]+|ul|al|bin|de|van|von))*/gu;

/** The one person (known, or with an honorific) named outside quotes in [from, to), if exactly one. */
function personInSentence(text: string, masked: string, from: number, to: number, known: KnownPeople): SubjectRef | null {
  let found: SubjectRef | null = null;
  NAMED_PERSON.lastIndex = from;
  for (let m = NAMED_PERSON.exec(masked); m !== null && m.index < to; m = NAMED_PERSON.exec(masked)) {
    const ref = classifyName(text.slice(m.index, m.index + m[0].length), known);
    if (ref === null || ref.type !== "person") continue;
    if (!known.isKnown(ref.surface) && !/^(?:Mr|Mrs|Ms|Dr)\s/u.test(ref.surface) && ref.surface.split(" ").length < 2) continue;
    if (found !== null && found.type === "person" && found.surface !== ref.surface) return null;
    found = ref;
  }
  return found;
}

/** Sentences that open with a person's name: whom a pronoun means when nobody has spoken yet. */
function sentenceSubjects(text: string, masked: string, known: KnownPeople): Attribution[] {
  const out: Attribution[] = [];
  const starts = [0];
  for (let i = 1; i < masked.length - 1; i++) {
    const c = masked.charCodeAt(i);
    // . ! ? then a space
    if ((c === 0x2e || c === 0x21 || c === 0x3f) && masked.charCodeAt(i + 1) === 0x20 && !ABBREVIATIONS.test(masked.slice(Math.max(0, i - 6), i))) starts.push(i + 2);
  }
  for (const s of starts) {
    // A name opens with a capital letter: skip the pattern for every other sentence.
    const first = masked.charCodeAt(s);
    if (!(first >= 65 && first <= 90)) continue;
    const m = /^(?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'-]+(?:\s+(?:[A-Z][\p{L}’'-]+|ul|al|bin))*(?=\s+[a-z])/u.exec(masked.slice(s, s + 80));
    if (m === null) continue;
    const ref = classifyName(m[0], known);
    if (ref === null || ref.type !== "person") continue;
    if (!known.isKnown(ref.surface) && !/^(?:Mr|Mrs|Ms|Dr)\s/u.test(m[0]) && ref.surface.split(" ").length < 2) continue;
    out.push({ subjects: [ref], text: "", kind: "indirect", cue: "", mention: "fallback", at: s });
  }
  return out;
}

/** Every attribution in the block, in reading order. */
export function readEnglishBlock(text: string, known: KnownPeople): Attribution[] {
  const spans = findQuoteSpans(text);
  const masked = maskQuotes(text, spans);
  const found: EnCue[] = [];
  for (const m of findVerbs(masked)) {
    const verb = m.text.replace(/\s+/gu, " ");
    const verbStart = m.index;
    // A reporting verb inside what someone else is reported to have said is part of that statement.
    if (found.some((f) => f.content !== null && verbStart >= f.content[0] && verbStart < f.content[1])) continue;
    const verbEnd = m.index + m.text.length;
    const sStart = sentenceStart(text, masked, verbStart);
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
    // Inverted when a comma or a closing quote comes right before the verb and a name (or he/she,
    // or a determiner) right after it: "…,” says Mr Perry" — not "X, a professor, says that…".
    let p = verbStart - 1;
    while (p >= 0 && masked[p] === " ") p--;
    const prev = masked[p];
    const nextWord = /^\s*([\p{L}’'-]+)/u.exec(masked.slice(verbEnd))?.[1] ?? "";
    const nameNext = /^[A-Z]/u.test(nextWord) || /^(?:a|an|the|one|another)$/u.test(nextWord);
    const inverted = (prev === "," || prev === "\u3000") && nameNext && nextWord !== "that";
    const before = masked.slice(Math.max(0, verbStart - 12), verbStart);
    if (/\b(?:been|be|being|was|were|is|are)\s+$/u.test(before) && /^(?:told|called|reported|said)$/u.test(verb)) continue;
    if (/^(?:add|adds|added|call|calls|called|point|points|report|reports|reported)$/u.test(verb) && /^(?:to|for|on|up|off|in)$/u.test(nextWord)) continue;
    if (/^(?:called|calls)$/u.test(verb) && !spans.some((sp) => sp.open > verbEnd && sp.open - verbEnd < 40)) continue;
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
    // "Khan sought to overthrow Sharif’s government, alleging that…": a participle's subject is
    // the sentence's.
    const participle = /ing$/u.test(verb) ? /^\s*((?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'-]+(?:\s+[A-Z][\p{L}’'-]+)*|[Hh]e|[Ss]he)\s+[a-z]/u.exec(text.slice(sStart, verbStart)) : null;
    const subjectOrList = participle !== null ? classifyName(participle[1] ?? "", known) : subjectBefore(text, from, verbStart, known);
    if (subjectOrList === null) continue;
    const list = Array.isArray(subjectOrList) ? subjectOrList : null;
    let subject: SubjectRef = Array.isArray(subjectOrList) ? subjectOrList[0]! : subjectOrList;
    if (subject.type === "pronoun") {
      // "When Ronan Lee … conducted field work, “…”, he writes": the person this sentence names.
      const named = personInSentence(text, masked, sStart, from, known);
      if (named !== null) subject = named;
    }
    if (subject.type === "other" && subject.label.split(/\s+/u).length > 8) continue;
    // "“…,” Juying told me" / "“…,” Muhammad Safdar, an Islamabad-based researcher, says": only a
    // name or a pronoun (and an appositive) may stand between the quote and the verb.
    const between = text.slice(qBefore, verbStart);
    const nameOnly = /^[\s,]*(?:(?:(?:Mr|Mrs|Ms|Dr)\s+)?[A-Z][\p{L}’'.-]*(?:\s+(?:[A-Z][\p{L}’'.-]*|ul|al|bin|de|van|von))*(?:\s*,[^,]*,)?|he|she|He|She|they|They)\s*$/u.test(between);
    const trailingQuote = qBefore > 0 && nameOnly ? quoteEndingNear(spans, masked, from + (between.length - between.replace(/^[\s,]+/u, "").length)) : null;
    // What follows the verb: skip the listener of "told" and a "that".
    let c = verbEnd;
    const after = masked.slice(c);
    const listener = /^\s*(?:(?:me|us|him|her|them|reporters|journalists|The\s+\w+|the\s+\w+|[A-Z]\w+)\s*)?(?:that\s+|,\s*|:\s*)?/u.exec(after);
    if (/^(?:told|tells|persuaded|persuades)$/u.test(verb)) {
      // "told me that…", "told The Economist:" — but "told officials to check…" reports no words.
      // "told officials to check orders" reports an instruction, not words.
      if ((listener === null || !/(?:that\s+|[,:]\s*)$/u.test(listener[0])) && trailingQuote === null) continue;
      if (listener !== null) c += listener[0].length;
    } else {
      const that = /^\s*,?\s*(?:that\s+)?/u.exec(after);
      if (that !== null) c += that[0].length;
    }
    let content: [number, number] | null = null;
    const subjectAt = subjectStartIn(masked, sStart, verbStart);
    const commaBefore = /,\s*$/u.test(masked.slice(sStart, subjectAt));
    if (trailingQuote !== null) content = null;
    else if (/^\s*[,.;]/u.test(masked.slice(verbEnd)) && commaBefore) {
      // "Now he spends ten hours a day online, he reckons, …" / "…on Facebook, she says."
      content = [sStart, Math.max(sStart, masked.lastIndexOf(",", subjectAt - 1))];
      if (masked.slice(content[0], content[1]).trim().split(/\s+/u).length < 3) {
        // "But, he says, “The business is yet to come…”": the quote that follows is the statement.
        const next = spans.find((sp) => sp.open > verbEnd && sp.open - verbEnd <= 3);
        content = next !== undefined ? [next.open, next.closed ? next.close + 1 : text.length] : null;
      }
    }
    else if (c < masked.length && masked[c] !== "." && masked[c] !== "," && !/^\s*,/u.test(masked.slice(verbEnd))) content = [c, sEnd];
    else if (trailingQuote === null && c < masked.length && masked[c] === ",") {
      const nextQ = spans.find((s) => s.open > c && s.open <= c + 3);
      if (nextQ !== undefined) content = [nextQ.open, nextQ.closed ? nextQ.close + 1 : text.length];
    }
    found.push({ verbStart, verbEnd, verb, inverted: false, subjects: list ?? [subject], subjectEdge: from, trailingQuote, content });
  }
  return toAttributions(text, masked, spans, found, sentenceSubjects(text, masked, known));
}

/** Spaces, commas, colons and dashes around a statement (what `/[\s,;:—–-]/u` matches). */
function isOuter(c: number): boolean {
  return isJsSpace(c) || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x2014 || c === 0x2013 || c === 0x2d;
}

/** `\s` in a JavaScript pattern. */
function isJsSpace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function stripOuter(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isOuter(s.charCodeAt(a))) a++;
  while (b > a && isOuter(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
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
    const body = stripOuter(text.slice(a, b)).replace(/[.]$/u, "");
    if (only !== undefined && inside.length === 1 && stripOuter(masked.slice(a, b)).replace(/[.]$/u, "").replace(/\u3000/gu, "").length === 0) {
      claimed.add(only);
      out.push({ subjects: c.subjects, text: text.slice(only.open + 1, only.close).trim(), kind: "direct", cue: c.verb, at: a });
      continue;
    }
    const afterColon = inside.find((sp) => /:\s*$/u.test(masked.slice(a, sp.open)));
    if (afterColon !== undefined) {
      // "…is starting to reassess its strategy: “There is a reassessment…”" — the quote stands alone.
      const lead = stripOuter(text.slice(a, afterColon.open));
      if (/[\p{L}]{2,}/u.test(lead)) out.push({ subjects: c.subjects, text: lead, kind: "indirect", cue: c.verb, at: a });
      claimed.add(afterColon);
      out.push({ subjects: c.subjects, text: text.slice(afterColon.open + 1, afterColon.close).trim(), kind: "direct", cue: c.verb, at: afterColon.open });
      continue;
    }
    for (const s of inside) claimed.add(s);
    out.push({ subjects: c.subjects, text: /[\p{L}]{2,}/u.test(body) ? body : "", kind: "indirect", cue: c.verb, at: a });
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
    // No cue before it in this paragraph: the person the paragraph's sentence names, if any.
    const subject = named.filter((a) => (a.at ?? 0) < span.open).at(-1);
    out.push({ subjects: previous?.subjects ?? subject?.subjects ?? [{ type: "continuation" }], text: q, kind: "direct", cue: "“”", at: span.open });
  }
  out.push(...named);
  return out.sort((x, y) => (x.at ?? 0) - (y.at ?? 0));
}
