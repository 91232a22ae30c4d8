import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryOutbox } from "../../../digest/store/memory-outbox.js";
import { createMemorySubscriberStore } from "../../../digest/store/memory-subscribers.js";
import { openSqlite } from "../../../digest/store/sqlite-db.js";
import { createSqliteOutbox } from "../../../digest/store/sqlite-outbox.js";
import { createSqliteSubscriberStore } from "../../../digest/store/sqlite-subscribers.js";
import { StoredDataError } from "../../../digest/store/errors.js";
import { tempDir } from "../../helpers/corpus.js";
import { runOutboxContract, samplePayload } from "./outbox.contract.js";
import type { OutboxFixture } from "./outbox.contract.js";
import { startReadyGoChild, writeSqliteChildScript } from "./ready-go-child.js";

const temp = tempDir("digest-outbox");
afterAll(() => temp.remove());
let dirCount = 0;
const freshDataDir = (): string => join(temp.dir, `db${++dirCount}`);

function memoryFixture(): OutboxFixture {
  const subscribers = createMemorySubscriberStore();
  const outbox = createMemoryOutbox(subscribers);
  return { outbox, subscribers, close: async () => (await outbox.close(), await subscribers.close()) };
}

function sqliteFixture(dataDir = freshDataDir()): OutboxFixture {
  const db = openSqlite({ dataDir });
  const outbox = createSqliteOutbox(db);
  const subscribers = createSqliteSubscriberStore(db);
  return { outbox, subscribers, close: async () => db.close() };
}

runOutboxContract("memory", memoryFixture);
runOutboxContract("sqlite", () => sqliteFixture());

const T0 = Date.UTC(2026, 0, 1, 8);
const LEASE = 60_000;

describe("SQLite Outbox on disk", () => {
  it("stores the payload once per digest, not once per chat", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const outbox = createSqliteOutbox(db);
    const chats = Array.from({ length: 5000 }, (_, i) => i + 1);
    await outbox.enqueue({ id: "d1", payload: samplePayload("d1") }, chats, T0);
    await outbox.enqueue({ id: "d1", payload: samplePayload("d1") }, [9_999_999], T0 + 1);
    const c = db.connection;
    expect(c.prepare("SELECT COUNT(*) FROM outbox_digests").pluck().get()).toBe(1);
    expect(c.prepare("SELECT COUNT(*) FROM outbox_items").pluck().get()).toBe(5001);
    // No column of an item row holds the payload text.
    const widest = c.prepare("SELECT MAX(LENGTH(digest_id) + IFNULL(LENGTH(last_error), 0)) FROM outbox_items").pluck().get();
    expect(widest).toBe(2);
    db.close();
  });

  it("keeps queued, leased and delivered state across close and reopen", async () => {
    const dataDir = freshDataDir();
    let fixture = sqliteFixture(dataDir);
    await fixture.outbox.enqueue({ id: "d1", payload: samplePayload("d1") }, [1, 2, 3], T0);
    const [sent, leased] = await fixture.outbox.claim("w1", 2, LEASE, T0);
    await fixture.outbox.ack([sent!.id], "w1");
    await fixture.close();

    fixture = sqliteFixture(dataDir);
    const { outbox } = fixture;
    expect(await outbox.stats()).toEqual({ pending: 1, claimed: 1, sent: 1, failed: 0 });
    expect(await outbox.digestPayload("d1")).toEqual(samplePayload("d1"));
    // The process that held the lease is gone; after the lease the item is handed out again.
    expect((await outbox.claim("w2", 5, LEASE, T0 + 1)).map((i) => i.chatId)).toEqual([3]);
    expect((await outbox.claim("w2", 5, LEASE, T0 + LEASE)).map((i) => i.id)).toEqual([leased!.id]);
    await fixture.close();
  });

  it("rolls back the whole enqueueDigest when one row cannot be written: no items, no payload, no cursor moved", async () => {
    const { outbox, subscribers, close } = sqliteFixture();
    await subscribers.subscribe(1, { now: T0, cursor: 2 });
    await subscribers.subscribe(2, { now: T0, cursor: 2 });
    // 2.5 is no chat id: the STRICT INTEGER column refuses it after the first rows went in.
    await expect(outbox.enqueueDigest({ id: "d", payload: 1 }, [1, 2, 2.5], 7, T0)).rejects.toThrow();
    expect(await outbox.stats()).toEqual({ pending: 0, claimed: 0, sent: 0, failed: 0 });
    expect(await outbox.digestPayload("d")).toBeUndefined();
    expect((await subscribers.get(1))?.cursor).toBe(2);
    expect((await subscribers.get(2))?.cursor).toBe(2);
    await close();
  });

  it("claims through the partial index of open items, not a scan of delivered ones", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const plan = db.connection
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM outbox_items
         WHERE status IN ('pending', 'claimed')
           AND ((status = 'pending' AND not_before <= 1) OR (status = 'claimed' AND lease_until <= 1))
         ORDER BY id LIMIT 25`,
      )
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join(" | ");
    expect(plan).toContain("outbox_items_open");
    expect(plan).not.toContain("TEMP B-TREE");
    db.close();
  });

  it("says which digest is damaged when its stored payload does not parse", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const outbox = createSqliteOutbox(db);
    await outbox.enqueue({ id: "d1", payload: { a: 1 } }, [1], T0);
    db.connection.prepare("UPDATE outbox_digests SET payload = '{broken' WHERE id = 'd1'").run();
    const failure = await outbox.digestPayload("d1").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoredDataError);
    expect((failure as Error).message).toContain("d1");
    db.close();
  });

  it("measures 100,000 chats × one digest: enqueue time, claim time with most rows delivered, file size", async () => {
    const dataDir = freshDataDir();
    const db = openSqlite({ dataDir });
    const outbox = createSqliteOutbox(db);
    const subscribers = createSqliteSubscriberStore(db);
    const chats = Array.from({ length: 100_000 }, (_, i) => 5_000_000 + i);
    // Subscribers exist so that enqueueDigest moves 100,000 real cursors (bulk-inserted: this test
    // measures the outbox, not 100,000 separate /subscribe transactions).
    const addSubscriber = db.connection.prepare(
      "INSERT INTO subscribers (chat_id, status, subscribed_at, cursor) VALUES (?, 'active', ?, 0)",
    );
    db.connection.transaction(() => chats.forEach((id) => addSubscriber.run(id, T0)))();
    let started = performance.now();
    expect(await outbox.enqueueDigest({ id: "big", payload: samplePayload("big") }, chats, 40, T0)).toEqual({
      added: 100_000,
      already: 0,
    });
    const enqueueMs = performance.now() - started;
    expect((await subscribers.get(chats[99_999]!))?.cursor).toBe(40);

    // Deliver 99,000 of them, then time claims over a table that is mostly history.
    for (;;) {
      const batch = await outbox.claim("w", 1000, LEASE, T0);
      if (batch.length === 0) break;
      await outbox.ack(batch.map((i) => i.id), "w");
      if (batch[batch.length - 1]!.chatId >= chats[98_999]!) break;
    }
    started = performance.now();
    let claimed = 0;
    for (let round = 0; round < 40; round++) {
      const batch = await outbox.claim("w", 25, LEASE, T0 + 1);
      claimed += batch.length;
      await outbox.ack(batch.map((i) => i.id), "w");
    }
    const claimMs = (performance.now() - started) / 40;
    started = performance.now();
    const stats = await outbox.stats();
    const statsMs = performance.now() - started;
    db.connection.pragma("wal_checkpoint(TRUNCATE)");
    const fileMb = [db.file, `${db.file}-wal`]
      .filter((f) => existsSync(f))
      .reduce((sum, f) => sum + statSync(f).size, 0) / 1e6;
    console.info(
      `[outbox sqlite] enqueueDigest 100,000 chats + cursors: ${enqueueMs.toFixed(0)} ms; ` +
        `claim 25 + ack with 99k delivered rows: ${claimMs.toFixed(2)} ms/round; stats(): ${statsMs.toFixed(1)} ms; ` +
        `database file ${fileMb.toFixed(1)} MB`,
    );
    expect(claimed).toBe(1000);
    expect(stats.sent).toBe(100_000);
    db.close();
  }, 120_000);
});

describe("two processes claiming from one SQLite file", () => {
  /** A child process that claims and acks batches until the outbox is empty, then prints what it got. */
  function writeClaimer(): string {
    const script = join(temp.dir, "claimer.mts");
    // Claims overlap: both claimers start together on "go".
    writeSqliteChildScript(
      script,
      { module: "sqlite-outbox.ts", factory: "createSqliteOutbox", as: "outbox" },
      `const got: number[] = [];
       for (;;) {
         const batch = await outbox.claim(name, 7, 600_000, Date.now());
         if (batch.length === 0) break;
         for (const item of batch) got.push(item.id);
         if ((await outbox.ack(batch.map((i) => i.id), name)) !== batch.length) throw new Error("ack refused");
         // A pause like a real send's, so that on a loaded machine one process cannot drain it all alone.
         await new Promise((resolve) => setTimeout(resolve, 1));
       }`,
      "got",
    );
    return script;
  }

  /** Starts a claimer; `ready` resolves once it has opened the file, `go()` lets it start. */
  const start = (script: string, file: string, worker: string) => startReadyGoChild<number[]>(script, [file, worker], worker);

  it("never hands the same item to both, and together they take every item once", async () => {
    const dataDir = freshDataDir();
    const { outbox, close } = sqliteFixture(dataDir);
    const chats = Array.from({ length: 3000 }, (_, i) => i + 1);
    await outbox.enqueue({ id: "race", payload: samplePayload("race") }, chats, Date.now() - 1000);
    await close();

    const file = join(dataDir, "digest.sqlite");
    const script = writeClaimer();
    const claimers = [start(script, file, "proc-a"), start(script, file, "proc-b")];
    await Promise.all(claimers.map((c) => c.ready));
    for (const c of claimers) c.go();
    const [a, b] = await Promise.all(claimers.map((c) => c.done));
    const both = [...a!, ...b!];
    console.info(`[outbox sqlite] concurrent claim: proc-a took ${a!.length}, proc-b took ${b!.length}`);
    expect(a!.length).toBeGreaterThan(0);
    expect(b!.length).toBeGreaterThan(0);
    expect(new Set(both).size).toBe(both.length);
    expect(both.length).toBe(3000);

    const check = sqliteFixture(dataDir);
    expect(await check.outbox.stats()).toEqual({ pending: 0, claimed: 0, sent: 3000, failed: 0 });
    await check.close();
  }, 60_000);
});
