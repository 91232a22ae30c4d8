/**
 * The app's start: ingest only what is new or changed, indexes built from every stored article
 * (also those stored without quotes by the ingest CLI), and a readable failure when the Bot API
 * cannot be reached.
 */
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppStartError, createApp, loadIndexes } from "../../bot/app.js";
import { createArticleSearch } from "../../bot/article-search.js";
import { loadConfig } from "../../bot/config.js";
import { startBotApiEmulator, type BotApiEmulator } from "../../bot/emulator/index.js";
import { createLogger } from "../../bot/logger.js";
import { openStorage } from "../../bot/storage.js";
import { createQuoteIndex, extractQuotes, ingest, QUOTE_EXTRACTOR_VERSION } from "../../digest/index.js";
import { CORPUS_DIR, tempDir } from "../helpers/corpus.js";

const TOKEN = "222222222:AAE-app-start-token-0123456789abcdef";
let emulator: BotApiEmulator;
const seeds = tempDir("app-seeds");
beforeAll(async () => {
  emulator = await startBotApiEmulator();
  for (const file of ["seed.txt", "zh_045.txt", "en_001.txt"]) copyFileSync(join(CORPUS_DIR, file), join(seeds.dir, file));
});
afterAll(async () => {
  await emulator.close();
  seeds.remove();
});

const configFor = (dataDir: string, apiRoot = emulator.apiRoot) =>
  loadConfig({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, SEEDS_DIR: seeds.dir, DATA_DIR: dataDir });

/** Runs `body` with a fresh temp data folder that is removed afterwards, also when `body` fails. */
async function withDataDir(prefix: string, body: (dataDir: string) => void | Promise<void>): Promise<void> {
  const data = tempDir(prefix);
  try {
    await body(data.dir);
  } finally {
    data.remove();
  }
}

describe("start", () => {
  it("ingests new files once; a restart reads nothing again and still knows every article", async () => {
    await withDataDir("app-data", async (dataDir) => {
      const first = createApp({ config: configFor(dataDir), logger: createLogger("silent"), transport: "none" });
      await first.start();
      expect(first.deps.lastIngest()).toMatchObject({ files: 3, added: 3, updated: 0, failed: 0 });
      expect(first.deps.quotes.stats().articles).toBe(3);
      await first.stop();

      const second = createApp({ config: configFor(dataDir), logger: createLogger("silent"), transport: "none" });
      await second.start();
      expect(second.deps.lastIngest()).toMatchObject({ files: 3, added: 0, updated: 0 });
      expect(second.deps.quotes.stats().articles).toBe(3);
      expect(second.deps.quotes.search("曹良铉", { limit: 1 }).total).toBeGreaterThan(0);
      expect(second.deps.search.size()).toBe(3);
      await second.stop();
    });
  }, 60_000);

  it("extracts quotes for articles stored without them (by the ingest CLI)", async () => {
    await withDataDir("app-cli-data", async (dataDir) => {
      const storage = openStorage({ dataDir });
      await ingest({ seedsDir: seeds.dir, store: storage.articles, fileIndex: storage.seedFiles, now: 1 });
      const quotes = createQuoteIndex();
      expect(await loadIndexes(storage.articles, quotes, createArticleSearch())).toBe(3);
      expect(quotes.search("Yanghyeon Jo", { limit: 1 }).total).toBeGreaterThan(0);
      await storage.close();
    });
  }, 60_000);

  it("reads again, once, the articles an older extractor read, and stores what it reads", async () => {
    await withDataDir("app-stale-data", async (dataDir) => {
      // Stored as an older release left them: quotes without a version, and quotes of another version.
      const storage = openStorage({ dataDir });
      await ingest({ seedsDir: seeds.dir, store: storage.articles, fileIndex: storage.seedFiles, now: 1, extract: extractQuotes });
      const [a, b] = await storage.articles.since(0, 10);
      const { extractor: _dropped, ...unversioned } = a!.quotes!;
      await storage.articles.setQuotes(a!.article.id, a!.article.contentHash, unversioned);
      await storage.articles.setQuotes(b!.article.id, b!.article.contentHash, { experts: [], quotes: [], others: [], extractor: "2020-01-01.1" });
      await storage.close();

      /** Starts the app on the data folder and returns the ids whose quotes it stored. */
      const startCountingRewrites = async (): Promise<string[]> => {
        const storage = openStorage({ dataDir });
        const rewritten: string[] = [];
        const setQuotes = storage.articles.setQuotes.bind(storage.articles);
        storage.articles.setQuotes = async (id, contentHash, quotes) => {
          rewritten.push(id);
          return setQuotes(id, contentHash, quotes);
        };
        const app = createApp({ config: configFor(dataDir), logger: createLogger("silent"), transport: "none", storage });
        await app.start();
        expect(app.deps.quotes.stats().articles).toBe(3);
        expect(app.deps.quotes.search("曹良铉", { limit: 1 }).total).toBeGreaterThan(0);
        await app.stop();
        return rewritten;
      };
      // Only the two stale sets are read again and stored; the next start finds nothing to do.
      expect((await startCountingRewrites()).sort()).toEqual([a!.article.id, b!.article.id].sort());
      expect(await startCountingRewrites()).toEqual([]);

      const after = openStorage({ dataDir });
      try {
        for (const stored of await after.articles.since(0, 10)) {
          expect(stored.quotes?.extractor).toBe(QUOTE_EXTRACTOR_VERSION);
          expect(stored.quotes).toEqual(extractQuotes(stored.article));
        }
      } finally {
        await after.close();
      }
    });
  }, 60_000);

  it("fails with a readable error naming the Bot API root when it does not answer", async () => {
    await withDataDir("app-down-data", async (dataDir) => {
      const app = createApp({
        config: configFor(dataDir, "http://127.0.0.1:9"),
        logger: createLogger("silent"),
        transport: "none",
        startTimeoutMs: 1000,
    });
    const started = Date.now();
    const error = await app.start().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AppStartError);
    expect((error as Error).message).toContain("getMe at http://127.0.0.1:9");
    expect((error as Error).message).not.toContain(TOKEN.split(":")[1]);
    expect(Date.now() - started).toBeLessThan(10_000);
    await app.stop();
    });
  }, 30_000);

  it.each([
    [{ cron: "61 * * * *", tz: "UTC" }, /DIGEST_CRON="61 \* \* \* \*" cannot be used/],
    [{ cron: "0 8 * * *", tz: "Mars/Olympus" }, /DIGEST_TZ="Mars\/Olympus" cannot be used: it is not an IANA time zone/],
  ])("refuses a digest schedule that cannot run (%o), before opening the store", async (digest, message) => {
    await withDataDir("app-cron-data", async (dataDir) => {
      const config = configFor(join(dataDir, "never"));
      const attempt = () => createApp({ config: { ...config, digest: { ...config.digest, ...digest } }, logger: createLogger("silent") });
      expect(attempt).toThrow(AppStartError);
      expect(attempt).toThrow(message);
      expect(existsSync(join(dataDir, "never"))).toBe(false);
    });
  });
});
