/**
 * Real digests for the delivery tests: corpus articles parsed and quote-extracted like ingest does,
 * composed and rendered by the production code. Also a pino logger that keeps its lines in memory.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { composeDigest, type Digest } from "../../digest/compose.js";
import { extractQuotes, parseArticle, type StoredArticle } from "../../digest/index.js";
import { createLogger, type Logger } from "../../bot/logger.js";
import { renderDigest, type RenderedDigest } from "../../bot/render/digest.js";
import type { DigestLang } from "../../bot/render/digest-strings.js";
import { defaultTranslate } from "../../bot/digest-job.js";
import { CORPUS_DIR } from "../helpers/corpus.js";

let storedCache: StoredArticle[] | undefined;

/** The annotated corpus articles as a store would hold them, seq 1..n in file-name order. */
export function corpusStored(): StoredArticle[] {
  storedCache ??= readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((file, i) => {
      const article = parseArticle(readFileSync(join(CORPUS_DIR, file)), file);
      return { article, quotes: extractQuotes(article), seq: i + 1, ingestedAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000 };
    });
  return storedCache;
}

export function corpusDigest(count = 5, max = 10): Digest {
  const digest = composeDigest(corpusStored().slice(0, count), { now: Date.UTC(2026, 10, 26, 8), tz: "Asia/Taipei", max });
  if (digest === null) throw new Error("corpus digest is empty");
  return digest;
}

export function corpusPayload(lang: DigestLang = "zh", count = 5): { id: string; payload: RenderedDigest } {
  const digest = corpusDigest(count);
  return { id: `${digest.id}-${lang}`, payload: renderDigest(digest, defaultTranslate(lang)) };
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger (the app's) whose JSON lines are parsed into `lines`. */
export function memoryLogger(level = "info"): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return { logger: createLogger(level, sink), lines };
}
