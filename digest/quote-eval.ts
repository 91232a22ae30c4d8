/**
 * Scores extracted quotes against the corpus's gold annotation (see ../shared/corpus/README.md):
 * a predicted quote matches a gold quote of the same paragraph when the characters they share
 * cover at least half of the gold text; matching is one-to-one; the speaker is right when one of
 * the predicted expert's names equals the gold speaker or one of its aliases after normalisation.
 * Pure: plain data in, numbers and lists out.
 */
import type { GoldFile, GoldStatement } from "./gold.js";
import { normalizeName } from "./names.js";
import type { Article, Quote, QuoteSet } from "./types.js";

export const COVERAGE_THRESHOLD = 0.5;

export interface EvalCase {
  /** File name, for reports. */
  file: string;
  article: Article;
  quotes: QuoteSet;
  gold: GoldFile;
}

export interface Counts {
  gold: number;
  predicted: number;
  /** Predicted quotes matched to a gold quote (detection). */
  matched: number;
  /** Matched quotes whose speaker is right. */
  speakerRight: number;
}

export interface Scores extends Counts {
  precision: number;
  recall: number;
  f1: number;
  speakerAccuracy: number;
  /** (quote, speaker) pairs: a match with the right speaker. */
  e2ePrecision: number;
  e2eRecall: number;
  e2eF1: number;
}

export interface Miss {
  file: string;
  paragraph: number;
  text: string;
  speaker: string;
}
export interface WrongSpeaker {
  file: string;
  paragraph: number;
  text: string;
  gold: string;
  predicted: string;
}

export interface QuoteEvalReport {
  overall: Scores;
  byLang: Record<string, Scores>;
  byFile: Record<string, Scores>;
  misses: Miss[];
  wrongSpeakers: WrongSpeaker[];
  spurious: Miss[];
}

/** Characters of `gold` covered by `predicted` within the paragraph text (≥ 0, ≤ gold length). */
export function sharedCharacters(paragraphText: string, gold: string, predicted: string): number {
  const g = paragraphText.indexOf(gold);
  const p = paragraphText.indexOf(predicted);
  if (g >= 0 && p >= 0) return Math.max(0, Math.min(g + gold.length, p + predicted.length) - Math.max(g, p));
  return longestCommonSubstring(gold, predicted);
}

function longestCommonSubstring(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Uint16Array(b.length + 1);
  let cur = new Uint16Array(b.length + 1);
  let best = 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : 0;
      if (cur[j]! > best) best = cur[j]!;
    }
    [prev, cur] = [cur, prev];
    cur.fill(0);
  }
  return best;
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}
function f1(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

export function scoresOf(c: Counts): Scores {
  const precision = ratio(c.matched, c.predicted);
  const recall = ratio(c.matched, c.gold);
  const e2ePrecision = ratio(c.speakerRight, c.predicted);
  const e2eRecall = ratio(c.speakerRight, c.gold);
  return {
    ...c,
    precision,
    recall,
    f1: f1(precision, recall),
    speakerAccuracy: ratio(c.speakerRight, c.matched),
    e2ePrecision,
    e2eRecall,
    e2eF1: f1(e2ePrecision, e2eRecall),
  };
}

function add(into: Counts, c: Counts): void {
  into.gold += c.gold;
  into.predicted += c.predicted;
  into.matched += c.matched;
  into.speakerRight += c.speakerRight;
}

const empty = (): Counts => ({ gold: 0, predicted: 0, matched: 0, speakerRight: 0 });

/** Every normalised name a gold speaker goes by (its name and the gold expert's aliases). */
function goldNames(gold: GoldFile, speaker: string): Set<string> {
  const names = new Set([normalizeName(speaker)]);
  for (const e of gold.experts) {
    const forms = [e.name, ...e.aliases].map(normalizeName);
    if (forms.includes(normalizeName(speaker))) for (const f of forms) names.add(f);
  }
  names.delete("");
  return names;
}

/** Scores one article. */
export function scoreCase(c: EvalCase): { counts: Counts; misses: Miss[]; wrongSpeakers: WrongSpeaker[]; spurious: Miss[] } {
  const expertNames = new Map<string, string[]>();
  for (const e of c.quotes.experts) expertNames.set(e.key, [e.name, ...e.aliases].map(normalizeName));
  const speakerRight = (q: Quote, g: GoldStatement): boolean => {
    const wanted = goldNames(c.gold, g.speaker);
    const mine = expertNames.get(q.speaker) ?? [normalizeName(q.speaker)];
    return mine.some((n) => wanted.has(n)) || wanted.has(normalizeName(q.speaker));
  };
  const pairs: Array<{ gi: number; pi: number; cover: number; right: boolean }> = [];
  c.gold.quotes.forEach((g, gi) => {
    const paragraph = c.article.blocks[g.paragraph]?.text ?? "";
    c.quotes.quotes.forEach((q, pi) => {
      if (q.paragraph !== g.paragraph) return;
      const cover = ratio(sharedCharacters(paragraph, g.text, q.text), g.text.length);
      if (cover >= COVERAGE_THRESHOLD) pairs.push({ gi, pi, cover, right: speakerRight(q, g) });
    });
  });
  // One-to-one: right speakers first, then the best coverage.
  pairs.sort((a, b) => Number(b.right) - Number(a.right) || b.cover - a.cover);
  const goldUsed = new Set<number>();
  const predUsed = new Set<number>();
  const counts = empty();
  counts.gold = c.gold.quotes.length;
  counts.predicted = c.quotes.quotes.length;
  const wrongSpeakers: WrongSpeaker[] = [];
  const nameOf = new Map(c.quotes.experts.map((e) => [e.key, e.name]));
  for (const p of pairs) {
    if (goldUsed.has(p.gi) || predUsed.has(p.pi)) continue;
    goldUsed.add(p.gi);
    predUsed.add(p.pi);
    counts.matched++;
    const g = c.gold.quotes[p.gi]!;
    const q = c.quotes.quotes[p.pi]!;
    if (p.right) counts.speakerRight++;
    else wrongSpeakers.push({ file: c.file, paragraph: g.paragraph, text: g.text, gold: g.speaker, predicted: nameOf.get(q.speaker) ?? q.speaker });
  }
  const misses = c.gold.quotes
    .map((g, gi) => ({ g, gi }))
    .filter(({ gi }) => !goldUsed.has(gi))
    .map(({ g }) => ({ file: c.file, paragraph: g.paragraph, text: g.text, speaker: g.speaker }));
  const spurious = c.quotes.quotes
    .map((q, pi) => ({ q, pi }))
    .filter(({ pi }) => !predUsed.has(pi))
    .map(({ q }) => ({ file: c.file, paragraph: q.paragraph, text: q.text, speaker: nameOf.get(q.speaker) ?? q.speaker }));
  return { counts, misses, wrongSpeakers, spurious };
}

/** Scores a set of articles: overall, per gold language (zh, zh-Hant, en) and per file. */
export function scoreQuotes(cases: readonly EvalCase[]): QuoteEvalReport {
  const overall = empty();
  const byLang = new Map<string, Counts>();
  const byFile: Record<string, Scores> = {};
  const misses: Miss[] = [];
  const wrongSpeakers: WrongSpeaker[] = [];
  const spurious: Miss[] = [];
  for (const c of cases) {
    const r = scoreCase(c);
    add(overall, r.counts);
    const lang = byLang.get(c.gold.lang) ?? empty();
    add(lang, r.counts);
    byLang.set(c.gold.lang, lang);
    byFile[c.file] = scoresOf(r.counts);
    misses.push(...r.misses);
    wrongSpeakers.push(...r.wrongSpeakers);
    spurious.push(...r.spurious);
  }
  return {
    overall: scoresOf(overall),
    byLang: Object.fromEntries([...byLang].map(([k, v]) => [k, scoresOf(v)])),
    byFile,
    misses,
    wrongSpeakers,
    spurious,
  };
}
