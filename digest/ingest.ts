/**
 * Scans a seeds folder and brings the article store up to date with it.
 *
 * Cheap on re-runs: a file whose size and mtime match what was recorded last time is not read at
 * all; a file whose bytes hash the same as last time is not parsed. One bad file is reported and
 * the batch goes on.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, type Stats } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type Keyv from "keyv";
import { parseArticle } from "./article.js";
import { SeedError } from "./errors.js";
import type { ArticleStore } from "./store/ports.js";
import type { Article, QuoteSet } from "./types.js";

/** What the file index remembers about one seed file between runs. */
export interface SeedFileRecord {
  size: number;
  mtimeMs: number;
  /** sha256 of the file's bytes. */
  hash: string;
  /** The article it held, or null when it was rejected. */
  articleId: string | null;
  /** Why it was rejected, when it was. */
  error: string | null;
}

export interface IngestFailure {
  /** Path relative to the seeds folder, with forward slashes. */
  file: string;
  reason: string;
}

export interface IngestReport {
  /** Seed files seen in the folder. */
  files: number;
  added: number;
  updated: number;
  unchanged: number;
  failed: IngestFailure[];
  /** Ids of the articles added or updated by this run, in the order they were stored. */
  changedIds: string[];
}

export interface IngestOptions {
  seedsDir: string;
  store: ArticleStore;
  /** Remembers size/mtime/hash per file between runs (a keyv namespace of its own). */
  fileIndex: Keyv<SeedFileRecord>;
  /** Epoch ms stamped on stored articles. */
  now: number;
  /** Runs once per new or changed article; its result is stored with the article. */
  extract?: (article: Article) => QuoteSet;
  /** Called every `progressEvery` files with the count done so far. */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
}

export class IngestError extends Error {
  override name = "IngestError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const SEED_EXTENSIONS = /\.(txt|md|html?)$/i;
/** Files a seeds folder may hold that are not articles (an archive's index, notes). */
const NOT_SEEDS = /^(readme|license|list)(\.[a-z]+)?$/i;

/** Seed files below `dir`, relative, sorted so that ingest order is stable across runs and machines. */
export async function listSeedFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (cause) {
    throw new IngestError(`cannot read seeds folder ${dir}: ${(cause as Error).message}`, { cause });
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    if (!SEED_EXTENSIONS.test(entry.name) || NOT_SEEDS.test(entry.name)) continue;
    // `parentPath` is Node 20.12+; `path` is its older name.
    const parent = (entry as { parentPath?: string }).parentPath ?? (entry as { path?: string }).path ?? dir;
    files.push(relative(dir, join(parent, entry.name)).split(sep).join("/"));
  }
  return files.sort();
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/**
 * Files are stat'ed and read synchronously (ten times faster than a promise per file for many small
 * files); every this many files the loop yields so timers and updates keep running during a long ingest.
 */
const FILES_BETWEEN_YIELDS = 100;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const { seedsDir, store, fileIndex, now, extract, onProgress } = options;
  const progressEvery = options.progressEvery ?? 1000;
  const files = await listSeedFiles(seedsDir);
  const known = await loadRecords(fileIndex);
  const report: IngestReport = { files: files.length, added: 0, updated: 0, unchanged: 0, failed: [], changedIds: [] };
  const changed = new Set<string>();

  for (const [index, file] of files.entries()) {
    if (index > 0 && index % FILES_BETWEEN_YIELDS === 0) await yieldToEventLoop();
    if (index > 0 && index % progressEvery === 0) onProgress?.(index, files.length);
    const path = join(seedsDir, file);
    let info: Stats;
    try {
      info = statSync(path);
    } catch (cause) {
      // Deleted between listing and now: nothing to ingest, nothing lost.
      report.failed.push({ file, reason: `cannot stat: ${(cause as Error).message}` });
      continue;
    }
    const before = known.get(file);
    if (before && before.size === info.size && before.mtimeMs === info.mtimeMs) {
      countUnchanged(report, file, before);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      report.failed.push({ file, reason: `cannot read: ${(cause as Error).message}` });
      continue;
    }
    const hash = sha256(bytes);
    if (before && before.hash === hash) {
      await fileIndex.set(file, { ...before, size: info.size, mtimeMs: info.mtimeMs });
      countUnchanged(report, file, before);
      continue;
    }
    const record: SeedFileRecord = { size: info.size, mtimeMs: info.mtimeMs, hash, articleId: null, error: null };
    try {
      const article = parseArticle(bytes, file);
      const quotes = extract ? extract(article) : null;
      const result = await store.put(article, quotes, now);
      record.articleId = article.id;
      if (result === "unchanged") report.unchanged += 1;
      else {
        report[result] += 1;
        if (!changed.has(article.id)) report.changedIds.push(article.id);
        changed.add(article.id);
      }
    } catch (error) {
      if (!(error instanceof SeedError)) {
        throw new IngestError(`ingest stopped at ${file}: ${(error as Error).message}`, { cause: error });
      }
      record.error = error.message;
      report.failed.push({ file, reason: error.message });
    }
    await fileIndex.set(file, record);
  }
  onProgress?.(files.length, files.length);
  await forgetVanished(fileIndex, known, new Set(files));
  return report;
}

function countUnchanged(report: IngestReport, file: string, record: SeedFileRecord): void {
  if (record.error) report.failed.push({ file, reason: record.error });
  else report.unchanged += 1;
}

async function loadRecords(fileIndex: Keyv<SeedFileRecord>): Promise<Map<string, SeedFileRecord>> {
  const records = new Map<string, SeedFileRecord>();
  if (!fileIndex.iterator) throw new IngestError("the file index store cannot be iterated");
  for await (const [key, value] of fileIndex.iterator(undefined)) {
    if (typeof key === "string" && value) records.set(key, value as SeedFileRecord);
  }
  return records;
}

/** Files removed from the folder: their articles stay, their records go. */
async function forgetVanished(fileIndex: Keyv<SeedFileRecord>, known: Map<string, SeedFileRecord>, present: Set<string>) {
  const gone = [...known.keys()].filter((file) => !present.has(file));
  if (gone.length > 0) await fileIndex.deleteMany(gone);
}
