/**
 * Extraction speed on the annotated corpus (29 real articles, zh/zh-Hant/en). Goal: ≥ 5,000
 * articles/s per core. Run with `npm run bench -- test/bench/quotes.bench.ts`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { bench, describe } from "vitest";
import { parseArticle } from "../../digest/article.js";
import { extractQuotes } from "../../digest/quotes.js";

const corpus = new URL("../../../shared/corpus/", import.meta.url);
const articles = readdirSync(corpus)
  .filter((f) => f.endsWith(".txt") && f !== "README.md")
  .map((f) => parseArticle(readFileSync(new URL(f, corpus)), f));
// Warm the lazily built tables (cue regexes, OpenCC for the other-script alias) outside the timing.
for (const a of articles) extractQuotes(a);

describe(`extractQuotes over ${articles.length} corpus articles`, () => {
  // A long warm-up: the first passes run before V8 has optimised the readers and measure the
  // compiler, not the extractor.
  bench(
    "one pass over the corpus (ops/s × articles = articles/s)",
    () => {
      for (const a of articles) extractQuotes(a);
    },
    { warmupTime: 2_000, warmupIterations: 50, time: 3_000 },
  );
});
