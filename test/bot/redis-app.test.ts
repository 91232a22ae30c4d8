/**
 * REDIS_URL mode: two app instances on one Redis share articles, the seed-file index and
 * subscribers — the second instance ingests nothing again and knows every article and subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../bot/app.js";
import { loadConfig } from "../../bot/config.js";
import { startBotApiEmulator, type BotApiEmulator } from "../../bot/emulator/index.js";
import { createLogger } from "../../bot/logger.js";
import { openRedisStorage } from "../../bot/storage.js";
import { useRedisAppBed } from "../helpers/redis-app-bed.js";

const TOKEN = "333333333:AAE-redis-app-token-0123456789abcdef";
const bed = useRedisAppBed("redis-app");
let emulator: BotApiEmulator;
beforeAll(async () => {
  emulator = await startBotApiEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe("two instances on one REDIS_URL", () => {
  it("share articles, the seed-file index and subscribers", async (context) => {
    const { redis, keyPrefix } = bed;
    if (!redis.available) return context.skip(redis.skipReason);
    const config = loadConfig({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      SEEDS_DIR: bed.seedsDir,
      DATA_DIR: bed.dataDir,
      REDIS_URL: redis.url,
    });
    const instance = async () =>
      createApp({
        config,
        logger: createLogger("silent"),
        transport: "none",
        storage: await openRedisStorage({ url: config.redisUrl!, keyPrefix }),
      });

    const first = await instance();
    await first.start();
    expect(first.deps.lastIngest()).toMatchObject({ files: 3, added: 3, failed: 0 });
    expect(await first.deps.subscribers.subscribe(4242, { now: 1, cursor: await first.deps.articles.lastSeq() })).toBe("subscribed");

    const second = await instance();
    await second.start();
    expect(second.deps.lastIngest()).toMatchObject({ files: 3, added: 0, updated: 0 });
    expect(await second.deps.articles.count()).toBe(3);
    expect(second.deps.quotes.search("Yanghyeon Jo", { limit: 1 }).total).toBeGreaterThan(0);
    expect(await second.deps.subscribers.get(4242)).toMatchObject({ chatId: 4242, status: "active" });

    await second.stop();
    await first.stop();
  }, 60_000);

  it("an article another instance edits in place reaches this instance's /quotes and /search index", async (context) => {
    const { redis, keyPrefix } = bed;
    if (!redis.available) return context.skip(redis.skipReason);
    const config = loadConfig({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot, SEEDS_DIR: bed.seedsDir, DATA_DIR: bed.dataDir, REDIS_URL: redis.url });
    const storage = await openRedisStorage({ url: config.redisUrl!, keyPrefix });
    const app = createApp({ config, logger: createLogger("silent"), transport: "none", storage, indexCatchUpMs: 100 });
    await app.start();
    const other = await openRedisStorage({ url: config.redisUrl!, keyPrefix });
    try {
      // Another instance stores an edit of an article this one indexed at start: same id, same seq.
      const [first] = await other.articles.since(0, 1);
      const paragraph = "联合国秘书长古特雷斯表示，海平面上升正在威胁太平洋岛国的生存。";
      const edited = { ...first!.article, contentHash: `${first!.article.contentHash}-edited`, blocks: [...first!.article.blocks, { kind: "paragraph" as const, text: paragraph, html: paragraph }] };
      expect(await other.articles.put(edited, null, Date.now())).toBe("updated");
      expect(app.deps.quotes.search("古特雷斯", { limit: 1 }).total).toBe(0);
      for (let waited = 0; app.deps.quotes.search("古特雷斯", { limit: 1 }).total === 0 && waited < 5000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const hits = app.deps.quotes.search("古特雷斯", { limit: 5 }).hits;
      expect(hits.map((h) => [h.article.id, h.quote.text])).toEqual([[first!.article.id, "海平面上升正在威胁太平洋岛国的生存。"]]);
      // …and its quotes were stored for the others, read from the edited text.
      expect((await other.articles.get(first!.article.id))?.quotes?.quotes.some((q) => q.text.includes("海平面"))).toBe(true);
    } finally {
      await other.close();
      await app.stop();
    }
  }, 60_000);
});
