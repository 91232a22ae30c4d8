/**
 * Extraction speed (issue 3: ≥ 5,000 articles/s per core on the corpus). Run with
 * `npm run bench -- test/bench/quotes.bench.ts`.
 *
 * Two sets, because articles/s depends on article length: the 29 annotated articles (long,
 * dense in quotes: ~3,900 characters on average) and the 300 archive posts (real news posts as
 * an archive stores them: ~1,400 characters), and the whole corpus (329) as the ingester sees
 * it. Besides vitest's wall-clock ops/s, the figures printed at the end are CPU time of this
 * process (one thread does the work, so CPU-seconds are core-seconds), median of many rounds
 * after a long warm-up: the machines are shared and wall time is noisy.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, bench, describe } from "vitest";
import { parseArticle } from "../../digest/article.js";
import { extractQuotes } from "../../digest/quotes.js";
import type { Article } from "../../digest/types.js";
import { ARCHIVE_DIR, CORPUS_DIR } from "../helpers/corpus.js";

function load(dir: string, extension: string): Article[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(extension) && f !== "README.md")
    .map((f) => parseArticle(readFileSync(join(dir, f)), f));
}

const annotated = load(CORPUS_DIR, ".txt");
const archive = load(ARCHIVE_DIR, ".md");
const sets = { annotated, archive, "whole corpus": [...annotated, ...archive] };

function characters(articles: readonly Article[]): number {
  let n = 0;
  for (const a of articles) for (const b of a.blocks) n += b.text.length;
  return n;
}

/** Median articles per CPU-second over `rounds` passes, after `warmup` passes. */
function cpuRate(articles: readonly Article[], rounds: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) for (const a of articles) extractQuotes(a);
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    for (const a of articles) extractQuotes(a);
    const used = process.cpuUsage(start);
    rates.push((articles.length * 1e6) / (used.user + used.system));
  }
  rates.sort((x, y) => x - y);
  return rates[rates.length >> 1]!;
}

describe("extractQuotes", () => {
  for (const [name, articles] of Object.entries(sets)) {
    // A long warm-up: the first passes measure the compiler, not the extractor.
    bench(`${name}: one pass over ${articles.length} articles (ops/s × ${articles.length} = articles/s)`, () => {
      for (const a of articles) extractQuotes(a);
    }, { warmupTime: 1_000, warmupIterations: 20, time: 2_000 });
  }
});

afterAll(() => {
  const lines = Object.entries(sets).map(([name, articles]) => {
    const rate = cpuRate(articles, name === "annotated" ? 60 : 15, name === "annotated" ? 40 : 5);
    const perArticle = characters(articles) / articles.length;
    return `  ${name.padEnd(13)} ${articles.length} articles, ${perArticle.toFixed(0).padStart(5)} chars avg: ${rate.toFixed(0).padStart(6)} articles/CPU-s (${((rate * perArticle) / 1e6).toFixed(1)} M chars/CPU-s)`;
  });
  console.log(`\nextractQuotes, median of CPU-timed passes (Node ${process.versions.node}):\n${lines.join("\n")}\n`);
}, 600_000);
