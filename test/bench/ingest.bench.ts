/**
 * Ingest over the corpus scaled to 10,000 articles, into a real SQLite file:
 * parse throughput, full-ingest throughput, and a re-scan of 10,000 unchanged files.
 * Figures per article are printed at the end (vitest's own table gives per-run times).
 */
import { afterAll, bench, describe } from "vitest";
import { parseArticle } from "../../digest/article.js";
import { ingest } from "../../digest/ingest.js";
import { openStorage } from "../../bot/storage.js";
import { tempDir } from "../helpers/corpus.js";
import { scaledSeeds, writeScaledSeeds } from "./scaled-corpus.js";

const COUNT = 10_000;
const seedsDir = tempDir("bench-seeds");
writeScaledSeeds(seedsDir.dir, COUNT);
const inMemory = scaledSeeds(COUNT).map((s) => ({ name: s.name, bytes: Buffer.from(s.text) }));
const timings = { parse: [] as number[], ingest: [] as number[], rescan: [] as number[] };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

// One database ingested once, re-scanned by the "rescan" bench.
const rescanData = tempDir("bench-rescan");
const rescanStorage = openStorage({ dataDir: rescanData.dir });
await ingest({ seedsDir: seedsDir.dir, store: rescanStorage.articles, fileIndex: rescanStorage.seedFiles, now: 0 });

describe(`ingest, corpus scaled to ${COUNT} articles`, () => {
  bench(
    `parse ${COUNT} articles (in memory)`,
    () => {
      const started = performance.now();
      for (const seed of inMemory) parseArticle(seed.bytes, seed.name);
      timings.parse.push(performance.now() - started);
    },
    { iterations: 5, time: 0, warmupIterations: 1 },
  );

  bench(
    `full ingest of ${COUNT} files into a new SQLite store`,
    async () => {
      const data = tempDir("bench-ingest");
      const storage = openStorage({ dataDir: data.dir });
      const started = performance.now();
      const report = await ingest({ seedsDir: seedsDir.dir, store: storage.articles, fileIndex: storage.seedFiles, now: 0 });
      timings.ingest.push(performance.now() - started);
      if (report.added !== COUNT) throw new Error(`expected ${COUNT} added, got ${report.added}: ${JSON.stringify(report.failed.slice(0, 3))}`);
      await storage.close();
      data.remove();
    },
    { iterations: 3, time: 0, warmupIterations: 0 },
  );

  bench(
    `re-scan of ${COUNT} unchanged files`,
    async () => {
      const started = performance.now();
      const report = await ingest({ seedsDir: seedsDir.dir, store: rescanStorage.articles, fileIndex: rescanStorage.seedFiles, now: 0 });
      timings.rescan.push(performance.now() - started);
      if (report.unchanged !== COUNT) throw new Error(`expected ${COUNT} unchanged, got ${report.unchanged}`);
    },
    { iterations: 5, time: 0, warmupIterations: 1 },
  );
});

afterAll(async () => {
  const rate = (ms: number) => Math.round(COUNT / (ms / 1000));
  console.log(
    [
      `parse: median ${median(timings.parse).toFixed(0)} ms for ${COUNT} → ${rate(median(timings.parse))} articles/s (one core)`,
      `full ingest: median ${median(timings.ingest).toFixed(0)} ms → ${rate(median(timings.ingest))} articles/s`,
      `re-scan of ${COUNT} unchanged files: median ${median(timings.rescan).toFixed(0)} ms`,
    ].join("\n"),
  );
  await rescanStorage.close();
  rescanData.remove();
  seedsDir.remove();
});
