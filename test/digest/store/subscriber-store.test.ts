import { afterAll, describe, expect, it } from "vitest";
import { createMemorySubscriberStore } from "../../../digest/store/memory-subscribers.js";
import { openSqlite } from "../../../digest/store/sqlite-db.js";
import { createSqliteSubscriberStore } from "../../../digest/store/sqlite-subscribers.js";
import { tempDir } from "../../helpers/corpus.js";
import { runSubscriberStoreContract } from "./subscriber-store.contract.js";

const temp = tempDir("digest-subscriber-store");
afterAll(() => temp.remove());
let dirCount = 0;
const freshDataDir = (): string => `${temp.dir}/db${++dirCount}`;

/** A store on a fresh database file; its close() also closes the database. */
function sqliteStoreOnFreshFile() {
  const db = openSqlite({ dataDir: freshDataDir() });
  const store = createSqliteSubscriberStore(db);
  return {
    ...store,
    async close() {
      await store.close();
      db.close();
    },
  };
}

runSubscriberStoreContract("memory", createMemorySubscriberStore);
runSubscriberStoreContract("sqlite", sqliteStoreOnFreshFile);

describe("SQLite SubscriberStore on disk", () => {
  const T0 = Date.UTC(2026, 0, 1);

  it("keeps subscribers, their state, cursor and language across close and reopen", async () => {
    const dataDir = freshDataDir();
    const db = openSqlite({ dataDir });
    const store = createSqliteSubscriberStore(db);
    await store.subscribe(1, { now: T0, cursor: 4, lang: "zh" });
    await store.subscribe(-1_001_234_567_890, { now: T0 + 1, cursor: 4 });
    await store.pause(1, "blocked");
    await store.advanceCursor([-1_001_234_567_890], 9);
    const before = await store.page(null, 10);
    db.close();

    const reopened = openSqlite({ dataDir });
    const again = createSqliteSubscriberStore(reopened);
    expect(await again.page(null, 10)).toEqual(before);
    expect(await again.counts()).toEqual({ active: 1, paused: 1 });
    expect(await again.resume(1)).toBe(true);
    expect(await again.get(1)).toMatchObject({ cursor: 4, lang: "zh", status: "active" });
    reopened.close();
  });

  it("sees one connection's writes from another on the same file, and subscribes a chat only once", async () => {
    const dataDir = freshDataDir();
    const first = openSqlite({ dataDir });
    const second = openSqlite({ dataDir });
    const a = createSqliteSubscriberStore(first);
    const b = createSqliteSubscriberStore(second);
    expect(await a.subscribe(5, { now: T0, cursor: 1 })).toBe("subscribed");
    expect(await b.subscribe(5, { now: T0, cursor: 2 })).toBe("already");
    await b.advanceCursor([5], 3);
    expect((await a.get(5))?.cursor).toBe(3);
    first.close();
    second.close();
  });

  it("pages 20,000 subscribers through the primary key without a sort step", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const store = createSqliteSubscriberStore(db);
    const plan = db.connection
      .prepare("EXPLAIN QUERY PLAN SELECT chat_id FROM subscribers WHERE chat_id > ? ORDER BY chat_id LIMIT ?")
      .all(0, 10)
      .map((row) => (row as { detail: string }).detail)
      .join(" | ");
    expect(plan).not.toContain("TEMP B-TREE");
    for (let id = 1; id <= 20_000; id++) await store.subscribe(id * 7919 % 20_011, { now: T0, cursor: 0 });
    let seen = 0;
    let after: number | null = null;
    let previous = -Infinity;
    for (;;) {
      const page = await store.page(after, 1000);
      if (page.length === 0) break;
      for (const s of page) {
        expect(s.chatId).toBeGreaterThan(previous);
        previous = s.chatId;
      }
      seen += page.length;
      after = page[page.length - 1]!.chatId;
    }
    expect(seen).toBe(20_000);
    db.close();
  }, 30_000);
});
