/**
 * Reads one Chinese block: finds speech cues outside quotation marks, the subject before each
 * cue, the content after it, and quoted sentences around it (“…，”X说 / X说：“…”).
 */
import type { Attribution, KnownPeople, SubjectRef } from "./model.js";
import { findQuoteSpans, maskQuotes, type QuoteSpan } from "./spans.js";
import { ZH_CUES, ZH_DIRECT_CUES, ZH_WEAK_CUES, withTraditional } from "./zh-lexicon.js";
import { looksLikeName, parseZhSubject, titledName } from "./zh-subject.js";
import { HAS_DE, HAS_KAN, HAS_PAREN, HAS_STANCE_NOUN, firstAtOrAfter, indexAtOrAfter, markBlock, markTable, type BlockMarks } from "./zh-marks.js";

/** A cue word and its second character (-1 for one-character words): most candidates fail on it. */
interface CueWord {
  word: string;
  second: number;
}

interface CueTables {
  /** Cue words sharing a first character, longest first: the candidates at one position. */
  groups: CueWord[][];
  /** 1 + index into `groups` for the first character of some cue, else 0: one load per character. */
  firstChar: Uint16Array;
  direct: Set<string>;
  weak: Set<string>;
  /** Character classes for the block scan (zh-marks.ts). */
  marks: Uint16Array;
}
let cueTables: CueTables | undefined;

function cues(): CueTables {
  if (cueTables) return cueTables;
  const groups: CueWord[][] = [];
  const firstChar = new Uint16Array(0x10000);
  for (const w of withTraditional(ZH_CUES)) {
    const c = w.charCodeAt(0);
    if (firstChar[c] === 0) firstChar[c] = groups.push([]);
    groups[firstChar[c]! - 1]!.push({ word: w, second: w.length > 1 ? w.charCodeAt(1) : -1 });
  }
  const firsts: number[] = [];
  for (let c = 0; c < firstChar.length; c++) if (firstChar[c] !== 0) firsts.push(c);
  cueTables = { groups, firstChar, marks: markTable(firsts), direct: new Set(withTraditional(ZH_DIRECT_CUES)), weak: new Set(withTraditional(ZH_WEAK_CUES)) };
  return cueTables;
}

/** Negations read back from a cue: two-character ones first, as the leftmost match wins. */
const NEGATIONS_2 = ["并不", "並不", "从不", "從不", "没有", "沒有"];
const NEGATIONS_1 = ["不", "未"];
const CUE_TAILS = ["说", "說", "道"];

/** The word of `words` that `s` holds at `at`, compared in place (no slice), or "". */
function wordAt(words: readonly string[], s: string, at: number): string {
  for (const w of words) if (s.startsWith(w, at)) return w;
  return "";
}

interface CueMatch {
  /** Start of the match, negation included. */
  index: number;
  negation: string;
  verb: string;
  /** "说"/"道" glued to the verb ("表示说", "写道"), or "". */
  tail: string;
  end: number;
}

/**
 * The next cue at or after `from`: negation? cue (说|道)?, leftmost first. Only the positions the
 * block scan found to start some cue word are tried (a pattern would be several times slower:
 * alternations of Han words get no quick first-character check), then a negation is read
 * backwards — no negation starts a cue, so this finds exactly what `(neg)?(cue)(说|道)?` would.
 */
function nextCue(tb: CueTables, masked: string, marks: BlockMarks, from: number): CueMatch | null {
  const starts = marks.cueStarts;
  for (let k = indexAtOrAfter(starts, from); k < starts.length; k++) {
    const i = starts[k]!;
    const group = tb.firstChar[masked.charCodeAt(i)]!;
    const second = masked.charCodeAt(i + 1);
    let verb: string | undefined;
    for (const w of tb.groups[group - 1]!) {
      if (w.second !== -1 && w.second !== second) continue;
      if (w.word.length <= 2 || masked.startsWith(w.word, i)) {
        verb = w.word;
        break;
      }
    }
    if (verb === undefined) continue;
    let negation = i - 2 >= from ? wordAt(NEGATIONS_2, masked, i - 2) : "";
    if (negation === "" && i - 1 >= from) negation = wordAt(NEGATIONS_1, masked, i - 1);
    const verbEnd = i + verb.length;
    const tail = wordAt(CUE_TAILS, masked, verbEnd);
    return { index: i - negation.length, negation, verb, tail, end: verbEnd + tail.length };
  }
  return null;
}

const BOUNDARY = new Set([..."，。；！？：,;!?\u3000\n"]);
const SENTENCE_END = new Set([..."。！？!?"]);

/** SENTENCE_END by character code, for the scans that walk a block character by character. */
function isSentenceEnd(code: number): boolean {
  return code === 0x3002 || code === 0xff01 || code === 0xff1f || code === 0x21 || code === 0x3f;
}

/** A sentence end in [from, to): a scan over codes, no slice. */
function hasSentenceEnd(s: string, from: number, to: number): boolean {
  for (let i = Math.max(0, from); i < to; i++) if (isSentenceEnd(s.charCodeAt(i))) return true;
  return false;
}

/** BOUNDARY by character code. */
function isBoundary(code: number): boolean {
  switch (code) {
    case 0xff0c: case 0x3002: case 0xff1b: case 0xff01: case 0xff1f: case 0xff1a: // ，。；！？：
    case 0x2c: case 0x3b: case 0x21: case 0x3f: case 0x3000: case 0x0a: // , ; ! ? ideographic space, newline
      return true;
    default:
      return false;
  }
}
const OPENERS = new Set([..."“「『\u0022"]);
/** A chunk opening like this is a clause of the statement, not its source ("如果美国发布声明表示…"). */
const CLAUSE_START = /^(?:以|有意|想要|希望|打算|准备|準備|企图|企圖|试图|試圖|如果|若|假如|虽然|雖然|因为|因為|即使|即便|当|當|一旦|只要|无论|無論|既然|如同|就像|为了|為了|由于|由於|是否|这些|這些|这|這|那|它|它们|它們)/u;
/** A statement published as a text: its authors stay its source ("文章说", "两位作者建议"). */
const AUTHORED = /(?:文章|撰文|报告|報告|书中|書中|专栏|專欄|论文|論文|投书|投書|公告|声明|聲明)/u;

/**
 * Framings that attribute without a speech verb, found by their fixed end and read back to the
 * clause start: "在X看来，…", "根据X的说法，…", "X的看法是，…".
 */
const FRAMED = [
  { anchor: /看[来來][，,]/gu, needs: HAS_KAN, lead: /^在/u, cue: "看来" },
  { anchor: /的(?:说法|說法|估算|估计|估計|看法|分析|观点|觀點|计算|計算|研究)[，,]/gu, needs: HAS_DE, lead: /^(?:根据|根據|依据|依據|据|據)/u, cue: "根据" },
  { anchor: /的(?:看法|观点|觀點|结论|結論)是[，,：:]?/gu, needs: HAS_DE, lead: null, cue: "的看法是" },
] as const;

interface Cue {
  /** Start of the subject chunk. */
  subjectStart: number;
  /** Start of the cue words (negation included). */
  cueStart: number;
  /** First index after the cue words and their trailing punctuation. */
  contentStart: number;
  cue: string;
  negated: boolean;
  subjects: SubjectRef[];
  /** The quote right before the subject (“…，”X说), claimed as X's. */
  trailingQuote: QuoteSpan | null;
  /** A reported clause ending in a quote right before the subject ("美国有“…，”她说"). */
  trailingClause: [number, number] | null;
  authored: boolean;
  /** The cue takes only the quote right after it ("说出“…”"), nothing more. */
  quoteOnly: boolean;
  /** Names whom a following pronoun means, attributes nothing ("X持不同看法"). */
  stateOnly: boolean;
}

/** What a cue needs; the rest defaults. */
type CueFields = Pick<Cue, "subjectStart" | "cueStart" | "contentStart" | "cue" | "subjects"> & Partial<Cue>;

/**
 * Every Cue is built here with the same fields in the same order: one object shape, so the
 * property reads in the readers stay monomorphic (several shapes made them measurably slower).
 */
function newCue(f: CueFields): Cue {
  return {
    subjectStart: f.subjectStart,
    cueStart: f.cueStart,
    contentStart: f.contentStart,
    cue: f.cue,
    negated: f.negated ?? false,
    subjects: f.subjects,
    trailingQuote: f.trailingQuote ?? null,
    trailingClause: f.trailingClause ?? null,
    authored: f.authored ?? false,
    quoteOnly: f.quoteOnly ?? false,
    stateOnly: f.stateOnly ?? false,
  };
}

/** An Attribution, always of one shape (see newCue). */
function said(subjects: SubjectRef[], text: string, kind: Attribution["kind"], cue: string, at: number, authored = false, mention?: Attribution["mention"]): Attribution {
  return { subjects, text, kind, cue, authored, mention, at };
}

const REPORTIVE = /[。！？](?=另据|据悉|據悉|据报道|據報導|据了解|據了解|据称|據稱|报道称|報導稱)/u;

/** Whether the text holds a character REPORTIVE's lookahead can start with (a native scan: several times faster than a charCodeAt loop). */
const REPORTIVE_START = /[另据據报報]/u;

/** A quote opens at `open` and no Han character follows it: "称为“集中营”" names, "称为“双循环”战略" does not. */
function namesWithQuote(spans: readonly QuoteSpan[], text: string, open: number): boolean {
  for (const sp of spans) if (sp.open === open) return !isCjk(text[sp.close + 1]);
  return false;
}

/** The nouns STANCE ends in: a block without one holds no stance. */
const STANCE_NOUN = /看法|观点|觀點|态度|態度|立场|立場|意见|意見|说法|說法/u;
const STANCE = /(?:持|有|呼应了?|呼應了?|同意|赞同|贊同)[^，。；\u3000]{0,8}?(?:看法|观点|觀點|态度|態度|立场|立場|意见|意見|说法|說法)/gu;

/**
 * Start of the subject chunk before `pos`: the previous clause boundary. A quoted name or title
 * inside the subject ("这篇“…”的文章", "中共…在其“千人计划”指导方针中") is stepped over; a quote
 * that closes its own clause (“…，”X说) is a boundary.
 */
function subjectStartBefore(masked: string, pos: number, text?: string, spans?: readonly QuoteSpan[]): number {
  let i = pos;
  while (i > 0) {
    const c = masked.charCodeAt(i - 1);
    if (c === 0x3000 && text !== undefined && spans !== undefined) {
      const q = ownerOfQuoteEndingAt(spans, i - 1);
      const inner = q !== null ? text[q.close - 1] : undefined;
      if (q !== null && inner !== undefined && !"，,。！？!?；…".includes(inner) && !standaloneStart(text, q, 0) && q.close - q.open < 40) {
        i = q.open;
        continue;
      }
    }
    if (isBoundary(c)) break;
    if (c === 32 && isCjkCode(masked.charCodeAt(i - 2)) && isCjkCode(masked.charCodeAt(i))) break;
    i--;
  }
  return i;
}

function isCjk(c: string | undefined): boolean {
  return c !== undefined && c >= "\u3400" && c <= "\u9fff";
}

/** isCjk by character code (NaN past either end of the text: false). */
function isCjkCode(c: number): boolean {
  return c >= 0x3400 && c <= 0x9fff;
}

function rejectCue(verb: string, masked: string, start: number, end: number): boolean {
  const before = masked[start - 1];
  const after = masked[end];
  if (before === "的" || before === "之") return true;
  // 发出警告, 作出回应, 提出建议, 遭到批评: the cue word is a noun there.
  if (before !== undefined && "出到作做些有受遭项項种種个個番用".includes(before) && verb !== "说" && verb !== "說") return true;
  if (verb === "说" || verb === "說") {
    if (before !== undefined && "来來据據听聽虽雖小游遊传傳如以话話再解演学學可所".includes(before)) return true;
    if (masked.slice(start - 2, start) === "或者") return true;
    if (after !== undefined && "法服明客成".includes(after)) return true;
  }
  if (verb === "称" || verb === "稱") {
    if (before !== undefined && "简簡号號堪俗统統名人被著尊昵暱职職总總".includes(before)) return true;
    if (before === "自" && after !== "“" && after !== "「") return true;
    if (after !== undefined && "作之号號呼赞讚霸".includes(after)) return true;
    if ((after === "为" || after === "為") && !"“「\u0022".includes(masked[end + 1] ?? "") && masked[end + 1] !== "\u3000") return true;
  }
  if (verb === "指") {
    if (after === undefined || !"，,：:“".includes(after)) return true;
  }
  if (verb === "分析" && after !== undefined && "人师師家员員指".includes(after)) return true;
  if (verb === "分析" && before !== undefined && "入过過细細步".includes(before)) return true;
  if (verb === "表示" && after === "为") return true;
  if (after === "的" || after === "了" && verb.length === 1) return true;
  return false;
}

function ownerOfQuoteEndingAt(spans: readonly QuoteSpan[], close: number): QuoteSpan | null {
  for (const s of spans) if (s.closed && s.close === close) return s;
  return null;
}

const CONNECTIVE_BEFORE = /(?:^|[，,：:。；！？\s])(?:因此|所以|但是|但|而且|而|并且|並且|并|並|那么|那麼|然而|不过|不過|因为|因為|甚至|此外|同时|同時|他说|她说|他說|她說)\s*$/u;

/** A quote that opens a clause of its own: after punctuation, another quote, or a bare connective ("因此“…”"). */
function standaloneStart(text: string, span: QuoteSpan, floor: number): boolean {
  let i = span.open - 1;
  while (i >= floor && text[i] === " ") i--;
  if (i < floor) return true;
  const c = text[i]!;
  if (BOUNDARY.has(c) || "”」』\u0022".includes(c)) return true;
  return CONNECTIVE_BEFORE.test(text.slice(Math.max(floor, span.open - 8), span.open));
}

function followingChar(text: string, pos: number): string | undefined {
  let i = pos;
  while (i < text.length && text[i] === " ") i++;
  return text[i];
}

function findCues(text: string, masked: string, marks: BlockMarks, spans: readonly QuoteSpan[], known: KnownPeople, heading: boolean): Cue[] {
  const tb = cues();
  const found: Cue[] = [];
  for (let m = nextCue(tb, masked, marks, 0); m !== null; m = nextCue(tb, masked, marks, m.end)) {
    const negation = m.negation;
    const verb = m.verb;
    const start = m.index;
    const verbStart = start + negation.length;
    const end = m.end;
    if (rejectCue(verb, masked, verbStart, end)) continue;
    const subjectStart = subjectStartBefore(masked, start, text, spans);
    const after = masked[end];
    const punctFollow = after === undefined || "，,：:\u3000 。！？；".includes(after);
    const tell = verb === "告诉" || verb === "告訴";
    // “…，”X说 / “…”X解释了…: a quote right before the subject is X's, whatever follows the verb.
    const beforeSubject = masked.charCodeAt(subjectStart - 1);
    const quoteEnd = beforeSubject === 0x3000 ? subjectStart - 1 : beforeSubject === 0xff0c && masked.charCodeAt(subjectStart - 2) === 0x3000 ? subjectStart - 2 : -1;
    const quoteBefore = quoteEnd >= 0 ? ownerOfQuoteEndingAt(spans, quoteEnd) : null;
    // Cheap rejections first: most candidate verbs in running text are not attributions.
    const say = verb === "说" || verb === "說";
    // "未承认败选", "没有表示任何的谴责": a negated verb with an object reports a non-act, not words.
    if (negation.length > 0 && !punctFollow && !/^(?:认为|認為|相信|觉得|覺得|同意)$/u.test(verb)) continue;
    if (!punctFollow && !tell && quoteBefore === null && !tb.direct.has(verb) && !say && verb !== "说出" && verb !== "說出") continue;
    let parsed = parseZhSubject(text.slice(subjectStart, start), known);
    // "如果台海发生冲突…时答复说": a clause of circumstance, not a source; the sentence's subject speaks.
    if (parsed.kind === "refs" && parsed.refs.length === 1 && parsed.refs[0]!.type === "other" && CLAUSE_START.test(parsed.refs[0]!.label)) parsed = { kind: "empty" };
    // A subjectless clause early in a sentence: the sentence's own subject, if it names a person.
    const fromSentence = parsed.kind === "empty" ? sentenceSubject(text, masked, subjectStart, found, known) : null;
    const subjects = parsed.kind === "refs" ? parsed.refs : fromSentence !== null ? [fromSentence] : [];
    const hasSpeaker = subjects.some((r) => r.type === "person" || r.type === "pronoun");
    if (!punctFollow && !tell && !(quoteBefore !== null && hasSpeaker)) {
      // Content glued to the verb ("拜登认为中国…"): only for verbs that take a clause, with a subject.
      if (!tb.direct.has(verb) && !(say && subjects.some((r) => r.type === "person" || r.type === "pronoun"))) continue;
      // "…呼吁，A，称B": a second speech act in the same sentence ("and said") is a statement of its own.
      const secondAct = /^(?:称|稱|警告|威胁|威脅)$/u.test(verb) && earlierInSentence(found, masked, subjectStart);
      if (subjects.length === 0 && !secondAct && !/[并並也还還更同时時]$/u.test(text.slice(subjectStart, start))) continue;
    }
    if ((verb === "宣布" || verb === "宣佈") && !punctFollow && !"将將会會要".includes(after ?? "")) continue;
    if (tb.weak.has(verb) && !subjects.some((r) => r.type === "person" || r.type === "pronoun") && !(subjects.length === 1 && subjects[0]!.type === "other" && AUTHORS.test(subjects[0]!.label))) continue;
    const only = subjects.length === 1 ? subjects[0]! : null;
    const authors = only !== null && only.type === "other" && AUTHORS.test(only.label);
    if (!authors && only !== null && only.type === "other" && (only.label.length > 16 || CLAUSE_START.test(only.label))) continue;
    let contentStart = end;
    // "将再教育营称为“集中营”--这一说法" is a statement; "称为“双循环”战略" names a plan.
    const namesAs = (verb === "称" || verb === "稱") && (after === "为" || after === "為") && namesWithQuote(spans, text, end + 1);
    if (verb === "说出" || verb === "說出" || namesAs) {
      // "说出“…”", "将再教育营称为“集中营”": the quoted words are all that was said.
      const q = spans.find((sp) => sp.open === end + (namesAs ? 1 : 0));
      if (q === undefined) continue;
      found.push(newCue({ subjectStart, cueStart: start, contentStart: q.open, cue: verb, negated: false, subjects: parsed.kind === "refs" ? parsed.refs : [{ type: "continuation" }], trailingQuote: null, authored: false, quoteOnly: true }));
      continue;
    }
    if (verb === "告诉" || verb === "告訴") {
      // The listener follows: skip to the comma or colon that opens the content.
      const rest = masked.slice(end, end + 40);
      const stop = rest.search(/[，,：:\u3000]/u);
      if (stop >= 0) contentStart = end + stop;
    }
    if (text[contentStart] === "了") contentStart++;
    while (contentStart < text.length && "，,：: ".includes(text[contentStart]!)) contentStart++;
    let trailingQuote: QuoteSpan | null = null;
    let trailingClause: [number, number] | null = null;
    // Only a quote that closes its clause (“…，”X说 / “…。”X说 / “…”，X说) is attributed backwards;
    // “长江学者”项目 names a thing.
    const closesClause = quoteBefore !== null && ("，,。！？!?…".includes(text[quoteBefore.close - 1] ?? "") || quoteEnd === subjectStart - 2);
    if (quoteBefore !== null && closesClause) {
      if (standaloneStart(text, quoteBefore, 0)) trailingQuote = quoteBefore;
      else {
        // "美国有“义务解决更深层次的结构性问题，”她说": the clause ending in the quote is hers.
        let s0 = quoteBefore.open;
        while (s0 > 0 && !isSentenceEnd(masked.charCodeAt(s0 - 1)) && masked[s0 - 1] !== "：") s0--;
        trailingClause = [s0, quoteBefore.close + 1];
      }
    }
    if (!punctFollow && (trailingQuote !== null || trailingClause !== null)) contentStart = text.length; // "解释了…观点": no more words
    const chunk = text.slice(subjectStart, start);
    if (/^[来來]$/u.test(chunk.trim()) && masked[subjectStart - 1] === "\u3000") {
      // "即以“只保留一个骨架”来形容…": the quoted words are the sentence subject's.
      const q = ownerOfQuoteEndingAt(spans, subjectStart - 1);
      const who = q !== null && /以\s*$/u.test(text.slice(0, q.open)) ? sentenceSubject(text, masked, q.open, found, known) : null;
      if (q !== null && who !== null) {
        found.push(newCue({ subjectStart, cueStart: start, contentStart: start, cue: verb, negated: false, subjects: [who], trailingQuote: q, authored: false }));
      }
      continue;
    }
    if (subjects.length === 0 && quoteBefore === null && !sentenceInitial(masked, subjectStart) && !earlierInSentence(found, masked, subjectStart)) {
      // "…推出系列图卡，以问答方式宣传其叙事，强调…": the sentence has a subject of its own that we
      // could not read; it is not the previous speaker.
      continue;
    }
    let refs: SubjectRef[] = subjects.length > 0 ? subjects : [{ type: "continuation" }];
    if (refs.length === 1 && refs[0]!.type === "pronoun") {
      // "拜登在竞选中也展示出…，不过他屡次批评…": 他 is the person this sentence opened with.
      const opener = sentenceSubject(text, masked, subjectStart, found, known);
      if (opener !== null) refs = [opener];
    }
    if (authors && only !== null && only.type === "other") refs = [{ type: "authors", label: only.label }];
    for (const r of refs) if (r.type === "person") known.note(r);
    found.push(newCue({
      subjectStart,
      cueStart: start,
      contentStart,
      cue: verb + m.tail,
      negated: negation.length > 0,
      subjects: refs,
      trailingQuote,
      trailingClause,
      authored: AUTHORED.test(chunk) && refs.every((r) => r.type === "person"),
    }));
  }
  for (const frame of FRAMED) {
    if ((marks.has & frame.needs) === 0) continue;
    frame.anchor.lastIndex = 0;
    for (let m = frame.anchor.exec(masked); m !== null; m = frame.anchor.exec(masked)) {
      const start = subjectStartBefore(masked, m.index);
      let who = text.slice(start, m.index).trim();
      if (frame.lead !== null) {
        const lead = frame.lead.exec(who);
        if (lead === null) continue;
        who = who.slice(lead[0].length);
      }
      if (who.length < 2 || who.length > 40) continue;
      const parsed = parseZhSubject(who, known);
      if (parsed.kind !== "refs" || !parsed.refs.some((r) => r.type === "person")) continue;
      const end = m.index + m[0].length;
      // A cue inside the frame is part of it ("据X称" is read as a plain cue instead).
      for (let i = found.length - 1; i >= 0; i--) if (found[i]!.cueStart >= start && found[i]!.cueStart < end) found.splice(i, 1);
      found.push(newCue({ subjectStart: start, cueStart: start, contentStart: end, cue: frame.cue, negated: false, subjects: parsed.refs, trailingQuote: null, authored: false }));
    }
  }
  // "徐遵慈持较悲观的看法。她说，…": a stance without words; its holder is whom "她" means next.
  STANCE.lastIndex = 0;
  // Most blocks hold none of the nouns a stance ends in: one literal search instead of trying
  // the pattern at every "有".
  for (let m = (marks.has & HAS_STANCE_NOUN) !== 0 && STANCE_NOUN.test(masked) ? STANCE.exec(masked) : null; m !== null; m = STANCE.exec(masked)) {
    const subjectStart = subjectStartBefore(masked, m.index);
    const parsed = parseZhSubject(text.slice(subjectStart, m.index), known);
    if (parsed.kind !== "refs" || parsed.refs.some((r) => r.type !== "person")) continue;
    const end = m.index + m[0].length;
    found.push(newCue({ subjectStart, cueStart: m.index, contentStart: end, cue: m[0], negated: false, subjects: parsed.refs, trailingQuote: null, authored: false, stateOnly: true }));
  }
  // "姓名：观点" — a name followed by a colon, as in sub-headings and interview transcripts.
  for (const i of marks.fullColons) colonCue(i);
  for (const i of marks.asciiColons) colonCue(i);
  function colonCue(i: number): void {
    const subjectStart = subjectStartBefore(masked, i);
    const chunk = text.slice(subjectStart, i).trim();
    if (chunk.length === 0 || found.some((c) => c.cueStart < i && c.contentStart > i)) return;
    const nameLike = known.knownEndingAt(chunk, chunk.length) === chunk || (looksLikeName(chunk) && (heading || subjectStart === 0 || followingChar(text, i + 1) === "“" || text[subjectStart - 1] === " "));
    if (!nameLike) return;
    const parsed = parseZhSubject(chunk, known);
    if (parsed.kind !== "refs" || parsed.refs[0]?.type !== "person") return;
    found.push(newCue({ subjectStart, cueStart: i, contentStart: i + 1, cue: "：", negated: false, subjects: parsed.refs, trailingQuote: null, authored: false }));
  }
  found.sort((a, b) => a.cueStart - b.cueStart);
  // Drop cues that sit inside another cue's subject chunk (rare nested matches), and reports of
  // an institution inside a person's statement in the same sentence ("她说，…美方还强调…").
  const kept: Cue[] = [];
  for (const c of found) {
    const prev = kept.at(-1);
    if (prev !== undefined && c.cueStart < prev.contentStart && c.subjectStart < prev.cueStart) continue;
    if (prev !== undefined && prev.quoteOnly !== true && prev.stateOnly !== true && c.subjects.every((r) => r.type === "other" && !/^(?:他们|她们|他們|她們)$/u.test(r.label)) && prev.subjects.some((r) => r.type === "person" || r.type === "pronoun")) {
      // …unless it introduces a quotation of its own ("…还有人在说，“这太疯狂了…”").
      const quotes = masked[c.contentStart] === "\u3000";
      if (!quotes && !hasSentenceEnd(masked, prev.contentStart, c.subjectStart)) continue;
    }
    kept.push(c);
  }
  return kept;
}

const AUTHORS = /^(?:这篇|這篇|该|該|此|那篇|两位|兩位|二位|这份|這份|该份)?(?:[^，。]{0,24}的)?(?:文章|报告|報告|作者|文|公告)$/u;
const LATIN_PAREN = /[（(]\s*[A-Za-z][^（）()]*[)）]/u;

/**
 * The subject of the sentence a subjectless cue sits in, when no cue came before it in that
 * sentence: "乔·奈伊(Joseph Nye)在访问北京时被问到，…时答复说" is Nye speaking.
 */
function sentenceSubject(text: string, masked: string, pos: number, earlier: readonly Cue[], known: KnownPeople): SubjectRef | null {
  let s = pos;
  while (s > 0 && !isSentenceEnd(masked.charCodeAt(s - 1))) s--;
  if (earlier.some((c) => c.cueStart >= s && c.cueStart < pos)) return null;
  const firstClause = masked.slice(s, pos);
  const comma = firstClause.search(/[，,；]/u);
  const clause = text.slice(s, comma < 0 ? pos : s + comma);
  const paren = LATIN_PAREN.exec(clause);
  if (paren !== null) {
    const parsed = parseZhSubject(clause.slice(0, paren.index + paren[0].length), known);
    if (parsed.kind === "refs" && parsed.refs.length === 1 && parsed.refs[0]!.type === "person") return parsed.refs[0]!;
  }
  // "习近平7月下旬视察…时，提到了…": a person already met opens the sentence.
  for (let n = Math.min(8, clause.length); n >= 2; n--) {
    const head = clause.slice(0, n);
    if (known.knownEndingAt(head, n) === head) return { type: "person", surface: head, romanized: null, role: "" };
  }
  return null;
}

const INTRODUCED = /[\u3400-\u9fff][（(]\s*[A-Za-z][^（）()]*[)）]/gu;

/**
 * People introduced in full — role, name and romanised name — in sentences that attribute
 * nothing: "尤霍（Ted Yoho）起草了一项法案。他对德国之声说…" — the "他" is Yoho.
 */
function mentions(text: string, masked: string, marks: BlockMarks, found: readonly Cue[], known: KnownPeople): Attribution[] {
  const out: Attribution[] = [];
  INTRODUCED.lastIndex = 0;
  const parenthesised = (marks.has & HAS_PAREN) !== 0;
  for (let m = parenthesised ? INTRODUCED.exec(masked) : null; m !== null; m = INTRODUCED.exec(masked)) {
    const parenEnd = m.index + m[0].length;
    let s = m.index;
    while (s > 0 && !isSentenceEnd(masked.charCodeAt(s - 1))) s--;
    let e = parenEnd;
    while (e < masked.length && !isSentenceEnd(masked.charCodeAt(e))) e++;
    if (found.some((c) => c.cueStart >= s && c.cueStart < e)) continue;
    const clauseStart = subjectStartBefore(masked, m.index + 1);
    const parsed = parseZhSubject(text.slice(clauseStart, parenEnd), known);
    if (parsed.kind !== "refs" || parsed.refs.length !== 1 || parsed.refs[0]!.type !== "person") continue;
    const ref = parsed.refs[0]!;
    if (ref.role.length === 0) continue;
    out.push(said([ref], "", "indirect", "", m.index, false, "topic"));
  }
  // "台湾外交部长吴钊燮正在敲响警钟…": a titled person opening a sentence is whom "他" means when
  // nobody has spoken yet.
  // Sentence and clause ends come from the block scan; both cursors only move forward.
  let cue = 0;
  let nextClauseMark = -1;
  for (let s = 0; s < masked.length; ) {
    const e = firstAtOrAfter(marks.sentenceEnds, s, masked.length);
    if (nextClauseMark < s && nextClauseMark !== masked.length) nextClauseMark = firstAtOrAfter(marks.clauseMarks, s, masked.length);
    const clauseEnd = nextClauseMark < e ? nextClauseMark : -1;
    while (cue < found.length && found[cue]!.cueStart < s) cue++;
    const hasCue = cue < found.length && found[cue]!.cueStart < e;
    if (!hasCue) {
      const named = titledName(text.slice(s, Math.min(clauseEnd < 0 ? e : clauseEnd, s + 40)));
      if (named !== null) out.push(said([named], "", "indirect", "", s, false, "fallback"));
    }
    s = e + 1;
  }
  return out;
}

/** Nothing but connectives between the sentence start and `pos` ("。并表示，…", "。此外，他…"). */
function sentenceInitial(masked: string, pos: number): boolean {
  let i = pos - 1;
  while (i >= 0 && " ，,".includes(masked[i]!)) i--;
  if (i < 0 || isSentenceEnd(masked.charCodeAt(i))) return true;
  let j = i;
  while (j >= 0 && !isSentenceEnd(masked.charCodeAt(j)) && !"，,".includes(masked[j]!)) j--;
  return (j < 0 || isSentenceEnd(masked.charCodeAt(j))) && /^(?:此外|另外|同时|同時|但|不过|不過|而|并|並|他|她|此前|随后|隨後)$/u.test(masked.slice(j + 1, i + 1));
}

/** A cue earlier in the same sentence: a subjectless "，称…" / "，并承诺…" continues it. */
function earlierInSentence(found: readonly Cue[], masked: string, pos: number): boolean {
  const prev = found.at(-1);
  if (prev === undefined || prev.cueStart >= pos || prev.quoteOnly === true) return false;
  for (let i = prev.cueStart; i < pos; i++) if (isSentenceEnd(masked.charCodeAt(i))) return false;
  return true;
}

/** Trims punctuation and spaces that are not part of what was said. */
function trimIndirect(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (isClauseMark(s.charCodeAt(a)) || s.charCodeAt(a) === 0x3002)) a++; // and 。 at the start
  while (b > a && isClauseMark(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** ，,：:、；; and `\s`: what may stand between a cue and its statement. */
function isClauseMark(c: number): boolean {
  switch (c) {
    case 0xff0c: case 0x2c: case 0xff1a: case 0x3a: case 0x3001: case 0xff1b: case 0x3b:
    case 9: case 10: case 11: case 12: case 13: case 32: case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000: case 0xfeff:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200a;
  }
}

/** At least `min` letters, digits or Han characters (not just punctuation). */
function hasWords(s: string, min: number): boolean {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xc0 && c < 0x2000);
    if (word && ++n >= min) return true;
  }
  return false;
}

function quoteText(text: string, span: QuoteSpan): string {
  return text.slice(span.open + 1, span.close).trim();
}

/** Every attribution in the block, in reading order. */
export function readChineseBlock(text: string, known: KnownPeople, heading: boolean): Attribution[] {
  const spans = findQuoteSpans(text);
  const masked = maskQuotes(text, spans);
  const marks = markBlock(masked, cues().marks);
  /** REPORTIVE needs one of its first characters somewhere in the block: most blocks skip it. */
  const mayReport = REPORTIVE_START.test(text);
  const found = findCues(text, masked, marks, spans, known, heading);
  const out: Attribution[] = [];
  const claimed = new Set<QuoteSpan>();
  /** Ranges of text already attributed, to find the quotes nobody claimed. */
  const covered: Array<[number, number]> = [];
  for (let k = 0; k < found.length; k++) {
    const c = found[k]!;
    const next = found[k + 1];
    let end = text.length;
    if (next !== undefined) end = next.trailingQuote !== null ? next.trailingQuote.open : next.trailingClause ? Math.max(c.contentStart, next.trailingClause[0]) : next.subjectStart;
    if (next !== undefined && text[next.contentStart] === "。" && masked[next.subjectStart - 1] === "，" && next.subjects.some((r) => r.type === "person")) {
      // The next speaker's statement precedes them ("…，王文说。"): ours ends at that sentence.
      let s0 = next.subjectStart - 1;
      while (s0 > c.contentStart && !isSentenceEnd(masked.charCodeAt(s0 - 1))) s0--;
      if (s0 > c.contentStart) end = s0;
    }
    if (c.trailingClause) {
      const [a, b] = c.trailingClause;
      const clause = trimIndirect(text.slice(a, b));
      if (hasWords(clause, 4) && !covered.some(([x, y]) => a < y && b > x)) {
        out.push(said(c.subjects, clause, "indirect", c.cue, a));
        covered.push([a, b]);
        const q = spans.find((sp) => sp.open >= a && sp.close < b && sp.close === b - 1);
        if (q !== undefined) claimed.add(q);
      }
    }
    if (c.trailingQuote !== null && !claimed.has(c.trailingQuote)) {
      const q = quoteText(text, c.trailingQuote);
      if (hasWords(q, 2)) out.push(said(c.subjects, q, "direct", c.cue, c.trailingQuote.open));
      claimed.add(c.trailingQuote);
      covered.push([c.trailingQuote.open, c.trailingQuote.close]);
    }
    if (c.stateOnly === true) {
      out.push(said(c.subjects, "", "indirect", c.cue, c.cueStart));
      continue;
    }
    if (c.quoteOnly === true) {
      const q = spans.find((sp) => sp.open === c.contentStart);
      if (q !== undefined && !claimed.has(q)) {
        claimed.add(q);
        covered.push([q.open, q.close]);
        out.push(said(c.subjects, quoteText(text, q), "direct", c.cue, q.open));
      }
      continue;
    }
    const start = c.negated ? c.cueStart : c.contentStart;
    // A sentence opening with "据悉/据报道/另据" is the reporter's again, not the speaker's.
    const reportive = mayReport ? REPORTIVE.exec(text.slice(start, end)) : null;
    if (reportive !== null) end = start + reportive.index + 1;
    // “…，”X写道，他引用了…: after a quote-first attribution, a new clause about the speaker is narration.
    const narrationAfterQuote = c.trailingQuote !== null && /^[他她][^说說认認表指称稱]/u.test(text.slice(c.contentStart, c.contentStart + 2));
    if (text[c.contentStart] === "。" && c.trailingQuote === null && !c.trailingClause && c.subjects.some((r) => r.type === "person") && c.subjectStart > 0 && masked[c.subjectStart - 1] === "，") {
      // "习近平的双循环可能会…，王文在接受采访时说。": the statement comes before its speaker.
      let s0 = c.subjectStart - 1;
      while (s0 > 0 && !isSentenceEnd(masked.charCodeAt(s0 - 1))) s0--;
      const before = trimIndirect(text.slice(s0, c.subjectStart));
      if (hasWords(before, 8) && !covered.some(([x, y]) => s0 < y && c.subjectStart > x)) {
        out.push(said(c.subjects, before, "indirect", c.cue, s0));
        covered.push([s0, c.subjectStart]);
        continue;
      }
    }
    if (end <= c.contentStart || text[c.contentStart] === "。" || narrationAfterQuote) {
      // Nothing said here, but the speaker is now the one a following "他" means.
      out.push(said(c.subjects, "", "indirect", c.cue, c.subjectStart, c.authored));
      continue;
    }
    covered.push([start, end]);
    const piecesFrom = out.length;
    contentPieces(text, spans, start, end, c, claimed, covered, out);
    if (out.length === piecesFrom) out.push(said(c.subjects, "", "indirect", c.cue, c.subjectStart));
  }
  // Quoted sentences outside any attributed range: the last speaker in this block, or before it.
  for (const span of spans) {
    if (claimed.has(span) || covered.some(([a, b]) => span.open >= a && span.open < b)) continue;
    if (!standaloneStart(text, span, 0)) continue;
    const after = span.closed ? followingChar(text, span.close + 1) : undefined;
    if (after !== undefined && !BOUNDARY.has(after) && !OPENERS.has(after) && !SENTENCE_END.has(after)) continue;
    const q = quoteText(text, span);
    if (!hasWords(q, 6)) continue;
    const previous = found.filter((c) => c.cueStart < span.open && c.stateOnly !== true).at(-1);
    // With no cue before it in this block, only a quote that opens the block continues the last
    // speaker ("a whole paragraph in quote marks"); a quote inside narration is not theirs.
    if (previous === undefined && text.slice(0, span.open).trim().length > 0) continue;
    out.push(said(previous?.subjects ?? [{ type: "continuation" }], q, "direct", "“”", span.open));
  }
  out.push(...mentions(text, masked, marks, found, known));
  return out.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
}

function contentPieces(
  text: string,
  spans: readonly QuoteSpan[],
  start: number,
  end: number,
  c: Cue,
  claimed: Set<QuoteSpan>,
  covered: Array<[number, number]>,
  out: Attribution[],
): void {
  const inside = spans.filter((s) => s.open >= start && s.open < end);
  const first = inside[0];
  let s0 = start;
  while (s0 < end && text[s0] === " ") s0++;
  if (first !== undefined && first.open === s0) {
    // X说：“…” — the quote is the statement; what follows it is narration again.
    const after = first.closed ? followingChar(text, first.close + 1) : undefined;
    const innerEnd = first.closed ? text[first.close - 1] : undefined;
    if (after === undefined || BOUNDARY.has(after) || OPENERS.has(after) || first.close + 1 >= end || (innerEnd !== undefined && SENTENCE_END.has(innerEnd))) {
      const q = quoteText(text, first);
      claimed.add(first);
      covered.pop();
      covered.push([start, first.close]);
      if (hasWords(q, 2)) out.push(said(c.subjects, q, "direct", c.cue, c.subjectStart));
      return;
    }
  }
  let cursor = start;
  for (const span of inside) {
    const innerEnd = span.closed ? text[span.close - 1] : undefined;
    const after = span.closed ? followingChar(text, span.close + 1) : undefined;
    // A quoted sentence of its own (it ends inside the marks) is direct speech; a quoted phrase
    // closing a reported clause ("…之中，“台湾的价值变得更加重要”。") stays part of it.
    const opensSentence = span.open > start && SENTENCE_END.has(text[span.open - 1] ?? "");
    const sentenceQuote =
      standaloneStart(text, span, start) &&
      (opensSentence || (innerEnd !== undefined && SENTENCE_END.has(innerEnd)) || (after !== undefined && OPENERS.has(after)) || !span.closed);
    if (!sentenceQuote) continue;
    const before = trimIndirect(text.slice(cursor, span.open));
    if (hasWords(before, 4)) out.push(said(c.subjects, before, "indirect", c.cue, c.subjectStart, c.authored));
    const q = quoteText(text, span);
    if (hasWords(q, 2)) out.push(said(c.subjects, q, "direct", c.cue, c.subjectStart));
    claimed.add(span);
    cursor = span.closed ? span.close + 1 : text.length;
  }
  const rest = trimIndirect(text.slice(cursor, end));
  if (hasWords(rest, 4)) out.push(said(c.subjects, rest, "indirect", c.cue, c.subjectStart, c.authored));
}
