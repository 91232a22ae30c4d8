/** SQLite → Redis migration: everything a running bot needs arrives, cursors still mean "given up to here", re-runs add nothing. */
import { describe, expect, it } from "vitest";
import { migrateStorage } from "../../bot/migrate.js";
import { openRedisStorage, openStorage } from "../../bot/storage.js";
import { extractQuotes, ingest } from "../../digest/index.js";
import { useRedisAppBed } from "../helpers/redis-app-bed.js";

const bed = useRedisAppBed("migrate");

describe("migrateStorage (SQLite → Redis)", () => {
  it("copies articles, seed index, subscribers with cursors and pause state, preferences; a re-run duplicates nothing", async (context) => {
    const { redis, keyPrefix } = bed;
    if (!redis.available) return context.skip(redis.skipReason);
    const sqlite = openStorage({ dataDir: bed.dataDir });
    await ingest({ seedsDir: bed.seedsDir, store: sqlite.articles, fileIndex: sqlite.seedFiles, now: 1, extract: extractQuotes });
    const [first, second] = await sqlite.articles.since(0, 2);
    await sqlite.subscribers.subscribe(101, { now: 5, cursor: first!.seq, lang: "zh" });
    await sqlite.subscribers.subscribe(102, { now: 6, cursor: second!.seq });
    await sqlite.subscribers.pause(102, "blocked");
    await sqlite.prefs.setLang(101, "zh");

    const target = await openRedisStorage({ url: redis.url, keyPrefix });
    const report = await migrateStorage(sqlite, target);
    expect(report).toEqual({
      articles: { copied: 3, alreadyThere: 0 },
      seedFiles: 3,
      subscribers: { added: 2, alreadyThere: 0 },
      preferences: 1,
    });
    expect(await target.articles.count()).toBe(3);
    const copied = await target.articles.get(first!.article.id);
    expect(copied?.article).toEqual(first!.article);
    expect(copied?.quotes).toEqual(first!.quotes);
    // A cursor still points just past the same article, in the target's numbering.
    const after101 = await target.articles.since((await target.subscribers.get(101))!.cursor, 10);
    expect(after101.map((s) => s.article.id)).toEqual((await sqlite.articles.since(first!.seq, 10)).map((s) => s.article.id));
    expect(await target.subscribers.get(102)).toMatchObject({ status: "paused", pausedReason: "blocked" });
    expect(await target.subscribers.get(101)).toMatchObject({ status: "active", lang: "zh" });
    expect(await target.prefs.getLang(101)).toBe("zh");
    expect(await target.seedFiles.get("seed.txt")).toMatchObject({ articleId: expect.any(String) });

    const again = await migrateStorage(sqlite, target);
    expect(again.articles).toEqual({ copied: 0, alreadyThere: 3 });
    expect(again.subscribers).toEqual({ added: 0, alreadyThere: 2 });
    expect(await target.articles.count()).toBe(3);
    expect(await target.subscribers.counts()).toEqual({ active: 1, paused: 1 });

    await target.close();
    await sqlite.close();
  }, 60_000);
});
