/**
 * Quote lookup at scale: the gold corpus scaled to 100,000 articles (distinct ids and dates; every
 * fourth copy renames its people, so there are many distinct persons), then queries of every kind.
 *
 * Prints build time, heap growth and the p99 of a mixed query set; vitest bench adds per-query
 * statistics. Run: npx vitest bench --run test/bench/quote-index.bench.ts
 */
import { readFileSync, readdirSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { bench, describe } from "vitest";
import { parseGold, type GoldFile } from "../../digest/gold.js";
import { goldIndexedArticle, goldToQuoteSet } from "../../digest/lookup-eval.js";
import { normalizeName } from "../../digest/names.js";
import { createQuoteIndex, shortId, type IndexedArticle } from "../../digest/quote-index.js";
import type { QuoteSet } from "../../digest/types.js";

const ARTICLES = Number(process.env.QUOTE_BENCH_ARTICLES ?? 100_000);
/** Set to make every copy's quote texts distinct (worst case for the topic index's memory). */
const DISTINCT_TEXTS = process.env.QUOTE_BENCH_DISTINCT_TEXTS === "1";
const RENAME_EVERY = 4;
const NAME_VARIANTS = 500;

const corpus = new URL("../../../shared/corpus/", import.meta.url);
const golds: GoldFile[] = readdirSync(corpus)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => parseGold(JSON.parse(readFileSync(new URL(f, corpus), "utf8")), f));
const base = golds.map((g) => ({ article: goldIndexedArticle(g), quotes: goldToQuoteSet(g) }));

/** A CJK character and a Latin word that make a renamed copy's people someone else. */
const variantChar = (v: number): string => String.fromCodePoint(0x4e00 + 37 * v);
const variantWord = (v: number): string => `V${v.toString(36)}`;

function renamed(quotes: QuoteSet, v: number): QuoteSet {
  const rename = (name: string): string => (/[\u4e00-\u9fff]/u.test(name) ? name + variantChar(v) : `${name} ${variantWord(v)}`);
  const keyOf = new Map<string, string>();
  const experts = quotes.experts.map((e) => {
    const name = rename(e.name);
    const key = normalizeName(name);
    keyOf.set(e.key, key);
    return { ...e, name, key, aliases: e.aliases.map(rename) };
  });
  return { ...quotes, experts, quotes: quotes.quotes.map((q) => ({ ...q, speaker: keyOf.get(q.speaker) ?? q.speaker })) };
}

function scaled(i: number): { article: IndexedArticle; quotes: QuoteSet } {
  const source = base[i % base.length];
  if (!source) throw new Error("empty corpus");
  const copy = Math.floor(i / base.length);
  const article: IndexedArticle = {
    ...source.article,
    id: shortId(`${source.article.url}#${copy}`),
    url: `${source.article.url}#${copy}`,
    publishedAt: source.article.publishedAt + copy * 60_000,
  };
  let quotes = copy % RENAME_EVERY === 1 ? renamed(source.quotes, copy % NAME_VARIANTS) : source.quotes;
  if (DISTINCT_TEXTS) quotes = { ...quotes, quotes: quotes.quotes.map((q) => ({ ...q, text: `${q.text} [${copy}]` })) };
  return { article, quotes };
}

// A real heap figure needs a full GC before and after; expose it without a command-line flag.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (() => void) | undefined;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const buildStarted = performance.now();
const index = createQuoteIndex();
for (let i = 0; i < ARTICLES; i++) {
  const { article, quotes } = scaled(i);
  index.upsert(article, quotes);
}
const buildMs = performance.now() - buildStarted;
gc?.();
const heapDelta = process.memoryUsage().heapUsed - heapBefore;

const QUERIES: Record<string, string> = {
  name: "曹良铉",
  sentence: "what did 曹良铉 say",
  zhSentence: "曹良鉉說了什麼",
  romanised: "Yanghyeon Jo",
  romanisedReversed: "Ryuta Ito",
  surnameTitle: "曹教授",
  traditional: "盧信吉",
  renamed: `伊藤隆太${variantChar(5)}`,
  popular: "蓬佩奥",
  english: "Mr Trump",
  topicZh: "半导体",
  topicEn: "supply chain",
  miss: "曹良玄",
  missLatin: "Nobody Atall",
  long: "曹".repeat(5000),
};

// The first query pays for OpenCC's tries and each person's first sort; measure steady state after one pass.
for (const q of Object.values(QUERIES)) index.search(q, { limit: 10 });

// Wall time suffers whenever the shared cores are busy elsewhere; CPU time (this process, µs
// resolution) shows the query's own cost. Both are reported.
const wall: number[] = [];
const cpu: number[] = [];
for (let round = 0; round < 100; round++) {
  for (const q of Object.values(QUERIES)) {
    const c = process.cpuUsage();
    const t = performance.now();
    index.search(q, { limit: 10, offset: round % 3 === 0 ? 20 : 0 });
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
}
wall.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const pct = (xs: number[], p: number): number => +(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN).toFixed(3);

console.log(
  JSON.stringify(
    {
      articles: ARTICLES,
      distinctTexts: DISTINCT_TEXTS,
      stats: index.stats(),
      buildMs: Math.round(buildMs),
      heapDeltaMB: Math.round(heapDelta / 2 ** 20),
      gcExposed: gc !== undefined,
      queries: wall.length,
      wallMs: { p50: pct(wall, 0.5), p99: pct(wall, 0.99), max: pct(wall, 1) },
      cpuMs: { p50: pct(cpu, 0.5), p99: pct(cpu, 0.99), max: pct(cpu, 1) },
      totals: Object.fromEntries(Object.entries(QUERIES).map(([k, q]) => [k, index.search(q, { limit: 1 }).total])),
    },
    null,
    2,
  ),
);

describe(`QuoteIndex over ${ARTICLES} articles`, () => {
  for (const [label, q] of Object.entries(QUERIES)) {
    bench(`search ${label}`, () => {
      index.search(q, { limit: 10 });
    });
  }
  bench("personQuotes page 3", () => {
    const id = index.search("蓬佩奥", { limit: 1 }).hits[0]?.person.id ?? "";
    index.personQuotes(id, { limit: 10, offset: 20 });
  });
});
