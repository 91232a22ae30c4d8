/**
 * parseArticle over the whole corpus (29 annotated articles + 300 archive posts, 2.1 MB), as
 * bytes from memory. vitest's table gives the time per pass over the corpus; the articles/s and
 * MB/s figures are printed at the end.
 */
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, bench, describe } from "vitest";
import { parseArticle } from "../../digest/article.js";

const corpus = new URL("../../../shared/corpus/", import.meta.url);
const files = [
  ...readdirSync(corpus)
    .filter((f) => f.endsWith(".txt"))
    .map((f) => new URL(f, corpus)),
  ...readdirSync(new URL("archive/", corpus))
    .filter((f) => f.endsWith(".md"))
    .map((f) => new URL(`archive/${f}`, corpus)),
];
const seeds = files.map((url) => ({ name: url.pathname, bytes: readFileSync(url) }));
const totalBytes = seeds.reduce((sum, s) => sum + s.bytes.length, 0);
const passes: number[] = [];

describe(`parseArticle, ${seeds.length} corpus files`, () => {
  bench(
    "parse every corpus file once",
    () => {
      const started = performance.now();
      for (const seed of seeds) parseArticle(seed.bytes, seed.name);
      passes.push(performance.now() - started);
    },
    { time: 3000, warmupIterations: 5 },
  );
});

afterAll(() => {
  if (passes.length === 0) return;
  const sorted = [...passes].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const best = sorted[0] ?? NaN;
  const perSecond = (ms: number) => Math.round((seeds.length / ms) * 1000);
  console.log(
    `parseArticle: ${seeds.length} files, ${(totalBytes / 1e6).toFixed(2)} MB per pass, ${passes.length} passes; ` +
      `median ${median.toFixed(1)} ms = ${perSecond(median)} articles/s (${((totalBytes / median) * 1000 / 1e6).toFixed(1)} MB/s); ` +
      `best ${best.toFixed(1)} ms = ${perSecond(best)} articles/s`,
  );
});
