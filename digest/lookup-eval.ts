/**
 * Lookup recall by alias type: can a user who types any form of an expert's name (gold name,
 * romanised name, surname + title, short form, the other script) find that expert's quotes?
 *
 * The index is built from predicted QuoteSets; the forms and the quotes to find come from the
 * gold annotation. A form counts as found when the search returns, from that article, hits
 * covering every gold quote of that expert in that article.
 */
import type { GoldExpert, GoldFile, GoldStatement } from "./gold.js";
import { hasLatinTitle, isCjkName, isLatinName, isSurnameTitle, normalizeName, toSimplified, toTraditional } from "./names.js";
import { createQuoteIndex, indexedArticleOf, shortId, type IndexedArticle, type QuoteHit } from "./quote-index.js";
import type { Article, Expert, QuoteSet } from "./types.js";

export type FormClass = "name" | "romanised" | "surname+title" | "short" | "title+name" | "other-script";

export interface LookupCase {
  article: Article;
  quotes: QuoteSet;
  gold: GoldFile;
}

export interface LookupRecall {
  queries: number;
  /** Queries that brought back every gold quote of the person (all or nothing per query). */
  found: number;
  recall: number;
  /** Gold quotes brought back, over all queries of the class: partial credit. */
  quoteRecall: number;
  /**
   * Queries that brought back every gold quote the person's full name brings back: what the
   * alias resolution itself loses, apart from what extraction missed.
   */
  asName: number;
}

/** Share of the gold text a predicted text must cover for a hit to count (the corpus's matching rule). */
export const COVERAGE_THRESHOLD = 0.5;
/** Enough to see every hit of any one corpus article's expert. */
const SEARCH_LIMIT = 1000;

/** Gold experts and quotes as a QuoteSet (key = normalised name): the index built from perfect extraction. */
export function goldToQuoteSet(gold: GoldFile): QuoteSet {
  const experts: Expert[] = gold.experts.map((e) => ({
    key: normalizeName(e.name),
    name: e.name,
    aliases: [...e.aliases],
    role: e.role,
  }));
  const known = new Set(experts.map((e) => e.key));
  for (const q of gold.quotes) {
    const key = normalizeName(q.speaker);
    if (!known.has(key)) {
      known.add(key);
      experts.push({ key, name: q.speaker, aliases: [], role: "" });
    }
  }
  return {
    experts,
    quotes: gold.quotes.map((q) => ({
      speaker: normalizeName(q.speaker),
      text: q.text,
      kind: q.kind,
      paragraph: q.paragraph,
      cue: "",
    })),
    others: [...gold.org_statements, ...gold.unnamed_statements].map((s) => ({ ...s, cue: "" })),
  };
}

/** The gold file's article metadata as the index sees it (id: 8 base36 chars of the URL's hash). */
export function goldIndexedArticle(gold: GoldFile): IndexedArticle {
  return {
    id: shortId(gold.url),
    title: gold.title,
    url: gold.url,
    publishedAt: Date.parse(gold.published),
    source: gold.source,
  };
}

/** The forms a user may type for an expert, each with its class. Generated other-script forms included. */
export function queryForms(expert: GoldExpert): Array<{ form: string; kind: FormClass }> {
  const forms: Array<{ form: string; kind: FormClass }> = [{ form: expert.name, kind: "name" }];
  const nameKey = normalizeName(expert.name);
  const nameIsLatin = isLatinName(expert.name);
  for (const alias of expert.aliases) {
    const key = normalizeName(alias);
    if (!key || key === nameKey) continue;
    forms.push({ form: alias, kind: classifyAlias(alias, key, nameKey, nameIsLatin) });
  }
  if (isCjkName(expert.name)) {
    for (const other of [toTraditional(expert.name), toSimplified(expert.name)]) {
      if (other !== expert.name && !forms.some((f) => f.form === other)) forms.push({ form: other, kind: "other-script" });
    }
  }
  return forms;
}

function classifyAlias(alias: string, key: string, nameKey: string, nameIsLatin: boolean): FormClass {
  if (isSurnameTitle(alias)) return "surname+title";
  if (isLatinName(alias) && !nameIsLatin) return hasLatinTitle(key) ? "title+name" : "romanised";
  // "总统蔡英文", "President Donald Trump": the full name with a title or affiliation around it.
  if (key.length > nameKey.length) return "title+name";
  return "short";
}

/** How much of the gold text (same paragraph) the predicted text covers, 0..1. */
export function coverage(gold: GoldStatement, predictedText: string, predictedParagraph: number, article: Article): number {
  if (predictedParagraph !== gold.paragraph || gold.text.length === 0) return 0;
  const block = article.blocks[gold.paragraph]?.text;
  if (block !== undefined) {
    const g = block.indexOf(gold.text);
    const p = block.indexOf(predictedText);
    if (g >= 0 && p >= 0) {
      const overlap = Math.min(g + gold.text.length, p + predictedText.length) - Math.max(g, p);
      return Math.max(0, overlap) / gold.text.length;
    }
  }
  return longestCommonSubstring(gold.text, predictedText) / gold.text.length;
}

/** Length of the longest common substring (texts are paragraph-sized, so O(n·m) is fine). */
function longestCommonSubstring(a: string, b: string): number {
  let best = 0;
  let prev = new Uint16Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const row = new Uint16Array(b.length + 1);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        const v = (prev[j - 1] ?? 0) + 1;
        row[j] = v;
        if (v > best) best = v;
      }
    }
    prev = row;
  }
  return best;
}

/**
 * Lookup recall per form class (plus "all"). Person hits only: a topic hit is not the lookup
 * finding the person.
 */
export function measureLookupRecall(cases: LookupCase[]): Record<string, LookupRecall> {
  const index = createQuoteIndex();
  for (const c of cases) index.upsert(indexedArticleOf(c.article), c.quotes);

  const counts = new Map<string, { queries: number; found: number; quotes: number; quotesFound: number; asName: number }>();
  const count = (kind: string, covered: readonly boolean[], byName: readonly boolean[]): void => {
    const row = counts.get(kind) ?? { queries: 0, found: 0, quotes: 0, quotesFound: 0, asName: 0 };
    row.queries++;
    if (covered.every(Boolean)) row.found++;
    row.quotes += covered.length;
    row.quotesFound += covered.filter(Boolean).length;
    if (byName.every((hit, i) => !hit || covered[i])) row.asName++;
    counts.set(kind, row);
  };

  for (const c of cases) {
    for (const expert of c.gold.experts) {
      const goldQuotes = c.gold.quotes.filter((q) => q.speaker === expert.name);
      if (goldQuotes.length === 0) continue;
      const coveredBy = (form: string): boolean[] => {
        const hits = index
          .search(form, { limit: SEARCH_LIMIT })
          .hits.filter((h) => h.match !== "topic" && h.article.id === c.article.id);
        return goldQuotes.map((g) => hits.some((h) => covers(g, h, c.article)));
      };
      const byName = coveredBy(expert.name);
      for (const { form, kind } of queryForms(expert)) {
        const covered = form === expert.name ? byName : coveredBy(form);
        count(kind, covered, byName);
        count("all", covered, byName);
      }
    }
  }

  const out: Record<string, LookupRecall> = {};
  for (const [kind, { queries, found, quotes, quotesFound, asName }] of counts) {
    out[kind] = { queries, found, recall: queries === 0 ? 0 : found / queries, quoteRecall: quotes === 0 ? 0 : quotesFound / quotes, asName: queries === 0 ? 0 : asName / queries };
  }
  return out;
}

function covers(gold: GoldStatement, hit: QuoteHit, article: Article): boolean {
  return coverage(gold, hit.quote.text, hit.quote.paragraph, article) >= COVERAGE_THRESHOLD;
}
