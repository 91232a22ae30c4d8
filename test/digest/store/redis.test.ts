/**
 * The Redis adapters against a real redis-server: the same contract suites as memory and SQLite,
 * then what only several connections (several bot instances) on one Redis can show.
 * Each store gets its own key prefix; every key is deleted afterwards (never FLUSHDB).
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as vitest from "vitest";
import { afterAll, describe, expect, it } from "vitest";
import Keyv from "keyv";
import KeyvRedis from "@keyv/redis";
import keyvTestSuite, { keyvIteratorTests } from "@keyv/test-suite";
import { openRedis, RedisConnectError } from "../../../digest/store/redis-connection.js";
import type { RedisConnection } from "../../../digest/store/redis-connection.js";
import { createRedisArticleStore } from "../../../digest/store/redis-articles.js";
import { createRedisSubscriberStore } from "../../../digest/store/redis-subscribers.js";
import { createRedisOutbox } from "../../../digest/store/redis-outbox.js";
import { createRedisLock } from "../../../digest/store/redis-lock.js";
import { createRedisKeyv } from "../../../digest/store/redis-kv.js";
import { StoredDataError } from "../../../digest/store/errors.js";
import { deleteKeysUnder, uniqueKeyPrefix, useTestRedis } from "../../helpers/redis-server.js";
import { tempDir } from "../../helpers/corpus.js";
import { makeArticle, makeQuotes, runArticleStoreContract } from "./article-store.contract.js";
import { runSubscriberStoreContract } from "./subscriber-store.contract.js";
import { runOutboxContract, samplePayload } from "./outbox.contract.js";
import { runLockContract } from "./lock.contract.js";

const redis = await useTestRedis();
const runPrefix = uniqueKeyPrefix("redis-test");
if (redis.available) console.info(`[redis] tests use ${redis.url} (${redis.origin}), keys under ${runPrefix}`);
else console.warn(`[redis] ${redis.skipReason}`);
const url = redis.available ? redis.url : "";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
const temp = tempDir("digest-redis");

afterAll(async () => {
  temp.remove();
  if (!redis.available) return;
  await deleteKeysUnder(url, runPrefix);
  await redis.stop();
});

let prefixCount = 0;
const freshPrefix = (): string => `${runPrefix}${++prefixCount}:`;

/** A connection on a fresh prefix; `dispose()` deletes its keys and disconnects. */
async function freshConnection(prefix = freshPrefix()): Promise<RedisConnection & { dispose(): Promise<void> }> {
  const connection = await openRedis(url, { keyPrefix: prefix });
  return {
    ...connection,
    async dispose() {
      await connection.close();
      await deleteKeysUnder(url, prefix);
    },
  };
}

/** An adapter on its own connection and prefix, whose close() also drops both (as the SQLite tests close the file). */
async function onFreshPrefix<S extends { close(): Promise<void> }>(make: (c: RedisConnection) => S): Promise<S> {
  const connection = await freshConnection();
  const store = make(connection);
  return {
    ...store,
    async close() {
      await store.close();
      await connection.dispose();
    },
  };
}

const T0 = Date.UTC(2026, 0, 1, 8);
/** 2^52 − 1: Telegram chat ids fit in 52 bits. 16 digits, which Lua's tostring() would print as 4.5035996273705e+15. */
const HUGE_CHAT = 4_503_599_627_370_495;

describe.skipIf(!redis.available)(redis.available ? "Redis adapters" : redis.skipReason, () => {
  runArticleStoreContract("redis", () => onFreshPrefix(createRedisArticleStore));
  runSubscriberStoreContract("redis", () => onFreshPrefix(createRedisSubscriberStore));
  runLockContract("redis", () => onFreshPrefix(createRedisLock));
  runOutboxContract("redis", async () => {
    const connection = await freshConnection();
    const outbox = createRedisOutbox(connection);
    const subscribers = createRedisSubscriberStore(connection);
    return { outbox, subscribers, close: async () => (await outbox.close(), await subscribers.close(), await connection.dispose()) };
  });

  describe("@keyv/test-suite against @keyv/redis as createRedisKeyv configures it", () => {
    // The suite uses fixed namespaces ("keyv", "keyv1", "keyv2"); a separator unique to this run keeps
    // its keys ("keyv1::<run>::key") apart from anything else in a shared Redis, and lets us delete them.
    const separator = `::${runPrefix}`;
    const stores: Array<KeyvRedis<unknown>> = [];
    const store = () => {
      const s = new KeyvRedis<unknown>(url, { throwOnErrors: true, throwOnConnectError: true, keyPrefixSeparator: separator });
      stores.push(s);
      return s;
    };
    afterAll(async () => {
      for (const ns of ["keyv", "keyv1", "keyv2"]) await deleteKeysUnder(url, `${ns}${separator}`);
      await Promise.all(stores.map((s) => s.disconnect()));
    });
    keyvTestSuite(vitest, Keyv, store);
    keyvIteratorTests(vitest, Keyv, store);
  });

  describe("createRedisKeyv", () => {
    it("round-trips values under a namespace and the key prefix, apart from other namespaces", async () => {
      const keyPrefix = freshPrefix();
      const cursors = createRedisKeyv<{ seq: number }>(url, "cursor", { keyPrefix });
      const other = createRedisKeyv(url, "cursorx", { keyPrefix });
      try {
        await cursors.set("chat:42", { seq: 17 });
        await other.set("chat:42", "elsewhere");
        expect(await cursors.get("chat:42")).toEqual({ seq: 17 });
        // Stored where an operator would look for it.
        const raw = await cursors.store.client.get(`${keyPrefix}cursor::chat:42`);
        expect(JSON.parse(raw as string)).toMatchObject({ value: { seq: 17 } });
        await cursors.clear();
        expect(await cursors.get("chat:42")).toBeUndefined();
        expect(await other.get("chat:42")).toBe("elsewhere");
      } finally {
        await cursors.disconnect();
        await other.disconnect();
        await deleteKeysUnder(url, keyPrefix);
      }
    });

    it("expires a value by TTL on Redis's clock", async () => {
      const keyPrefix = freshPrefix();
      const keyv = createRedisKeyv(url, "ttl", { keyPrefix });
      try {
        await keyv.set("short", 1, 150);
        await keyv.set("long", 2, 60_000);
        expect(await keyv.get("short")).toBe(1);
        await new Promise((r) => setTimeout(r, 300));
        expect(await keyv.get("short")).toBeUndefined();
        expect(await keyv.get("long")).toBe(2);
      } finally {
        await keyv.disconnect();
        await deleteKeysUnder(url, keyPrefix);
      }
    });

    it("refuses an empty namespace, and throws when Redis cannot be reached instead of returning undefined", async () => {
      expect(() => createRedisKeyv(url, "")).toThrow(RangeError);
      const unreachable = createRedisKeyv("redis://127.0.0.1:1", "x", { connectTimeoutMs: 1000 });
      await expect(unreachable.get("a")).rejects.toThrow();
      await expect(unreachable.set("a", 1)).rejects.toThrow();
    });
  });

  describe("openRedis", () => {
    it("fails fast with RedisConnectError naming the server, password masked, when nothing listens", async () => {
      const started = Date.now();
      const failure = await openRedis("redis://:hunter2@127.0.0.1:1", { keyPrefix: "x:" }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(RedisConnectError);
      expect((failure as Error).message).toContain("127.0.0.1:1");
      expect((failure as Error).message).not.toContain("hunter2");
      expect((failure as Error).cause).toBeInstanceOf(Error);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it("refuses a key prefix that would run into the adapters' key names", async () => {
      await expect(openRedis(url, { keyPrefix: "digest" })).rejects.toThrow(RangeError);
    });

    it("reconnects by itself when the server drops the connection, and reports the drop to onError", async () => {
      const prefix = freshPrefix();
      let reportDrop: (error: Error) => void = () => {};
      const dropReported = new Promise<Error>((resolve) => (reportDrop = resolve));
      const connection = await openRedis(url, { keyPrefix: prefix, onError: (e) => reportDrop(e) });
      const admin = await freshConnection(prefix);
      try {
        const lock = createRedisLock(connection);
        expect(await lock.acquire("tick", "a", 60_000, T0)).toBe(true);
        const id = await connection.client.clientId();
        await admin.client.clientKill({ filter: "ID", id });
        expect((await dropReported).message).toMatch(/closed/i);
        // A command sent once the drop is known waits for the reconnect instead of failing (one in
        // flight at the moment of the drop rejects: callers retry, as they do for any network error).
        expect(await lock.holder("tick", T0 + 1)).toEqual({ owner: "a", expiresAt: T0 + 60_000 });
        expect(await connection.client.clientId()).not.toBe(id);
      } finally {
        await connection.close();
        await admin.dispose();
      }
    });

    it("sends a script again in full after the server forgot it (restart, SCRIPT FLUSH)", async () => {
      const store = await onFreshPrefix(createRedisArticleStore);
      const other = await freshConnection();
      try {
        await store.put(makeArticle("https://a.example/before-flush"), null, T0);
        await other.client.scriptFlush();
        expect(await store.put(makeArticle("https://a.example/after-flush"), null, T0)).toBe("added");
        expect(await store.lastSeq()).toBe(2);
      } finally {
        await store.close();
        await other.dispose();
      }
    });
  });

  describe("articles", () => {
    it("gives unique, gapless seqs when two instances ingest at the same time, and adds a shared file once", async () => {
      const prefix = freshPrefix();
      const [a, b] = [await freshConnection(prefix), await freshConnection(prefix)];
      const storeA = createRedisArticleStore(a);
      const storeB = createRedisArticleStore(b);
      const articles = Array.from({ length: 200 }, (_, i) => makeArticle(`https://a.example/race-${i}`));
      // Both instances see the same seeds folder: every article is put by both, concurrently.
      const results = await Promise.all(
        articles.flatMap((article, i) => [storeA.put(article, null, T0 + i), storeB.put(article, null, T0 + i)]),
      );
      expect(results.filter((r) => r === "added")).toHaveLength(200);
      expect(results.filter((r) => r === "unchanged")).toHaveLength(200);
      const all = await storeB.since(0, 1000);
      expect(all.map((x) => x.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(new Set(all.map((x) => x.article.id)).size).toBe(200);
      expect(await storeA.count()).toBe(200);
      await a.dispose();
      await b.close();
    });

    it("orders 120 articles published at the same instant by seq, newest first, across the 9 → 10 → 100 digit boundaries", async () => {
      const store = await onFreshPrefix(createRedisArticleStore);
      const articles = Array.from({ length: 120 }, (_, i) => makeArticle(`https://a.example/tie-${i}`, { publishedAt: T0 }));
      for (const [i, article] of articles.entries()) await store.put(article, null, T0 + i);
      const expected = articles.map((a) => a.id).reverse();
      expect((await store.latest({ limit: 200 })).map((x) => x.article.id)).toEqual(expected);
      expect((await store.latest({ limit: 15, offset: 105 })).map((x) => x.seq)).toEqual(
        Array.from({ length: 15 }, (_, i) => 15 - i),
      );
      await store.close();
    });

    it("says which article is damaged when its stored JSON does not parse", async () => {
      const connection = await freshConnection();
      const store = createRedisArticleStore(connection);
      const article = makeArticle("https://a.example/damaged");
      await store.put(article, makeQuotes("曹良铉"), T0);
      await connection.client.hSet(connection.key("article", article.id), "quotes", "{not json");
      const failure = await store.get(article.id).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(StoredDataError);
      expect((failure as StoredDataError).key).toBe(article.id);
      expect((failure as Error).message).toContain("quotes");
      await expect(store.latest({ limit: 5 })).rejects.toThrow(StoredDataError);
      await connection.dispose();
    });
  });

  describe("subscribers", () => {
    it("keeps a 16-digit chat id exact through subscribe, page, cursor advance and the outbox", async () => {
      const connection = await freshConnection();
      const subscribers = createRedisSubscriberStore(connection);
      const outbox = createRedisOutbox(connection);
      await subscribers.subscribe(HUGE_CHAT, { now: T0, cursor: 1 });
      await subscribers.subscribe(-HUGE_CHAT, { now: T0, cursor: 1 });
      expect((await subscribers.page(null, 10)).map((s) => s.chatId)).toEqual([-HUGE_CHAT, HUGE_CHAT]);
      expect((await subscribers.page(-HUGE_CHAT, 10)).map((s) => s.chatId)).toEqual([HUGE_CHAT]);
      await outbox.enqueueDigest({ id: "d", payload: 1 }, [HUGE_CHAT], 5, T0);
      expect((await subscribers.get(HUGE_CHAT))?.cursor).toBe(5);
      expect((await outbox.claim("w", 5, 1000, T0)).map((i) => i.chatId)).toEqual([HUGE_CHAT]);
      await expect(subscribers.subscribe(1.5, { now: T0, cursor: 0 })).rejects.toThrow(RangeError);
      await connection.dispose();
    });

    it("pages 20,000 subscribers in chat id order, and subscribes a chat once when two instances race", async () => {
      const prefix = freshPrefix();
      const [a, b] = [await freshConnection(prefix), await freshConnection(prefix)];
      const storeA = createRedisSubscriberStore(a);
      const storeB = createRedisSubscriberStore(b);
      const ids = Array.from({ length: 20_000 }, (_, i) => ((i * 7919) % 20_011) - 10_000);
      const started = performance.now();
      const results = await Promise.all(
        ids.flatMap((id) => [storeA.subscribe(id, { now: T0, cursor: 0 }), storeB.subscribe(id, { now: T0, cursor: 3 })]),
      );
      const subscribeMs = performance.now() - started;
      expect(results.filter((r) => r === "subscribed")).toHaveLength(20_000);
      expect(results.filter((r) => r === "already")).toHaveLength(20_000);

      const pageStarted = performance.now();
      const walked: number[] = [];
      let after: number | null = null;
      for (;;) {
        const page = await storeB.page(after, 1000);
        if (page.length === 0) break;
        walked.push(...page.map((s) => s.chatId));
        after = page[page.length - 1]!.chatId;
      }
      const pageMs = performance.now() - pageStarted;
      console.info(`[redis subscribers] 40,000 concurrent subscribes: ${subscribeMs.toFixed(0)} ms; page 20,000 by 1000: ${pageMs.toFixed(0)} ms`);
      expect(walked).toEqual([...ids].sort((x, y) => x - y));
      expect(await storeA.counts()).toEqual({ active: 20_000, paused: 0 });
      await a.dispose();
      await b.close();
    }, 60_000);
  });

  describe("outbox across instances", () => {
    it("hands each item to exactly one of two instances claiming at the same time", async () => {
      const prefix = freshPrefix();
      const [a, b] = [await freshConnection(prefix), await freshConnection(prefix)];
      const outboxA = createRedisOutbox(a);
      const outboxB = createRedisOutbox(b);
      const chats = Array.from({ length: 3000 }, (_, i) => 1 + i);
      await outboxA.enqueue({ id: "fan-out", payload: samplePayload("fan-out") }, chats, T0);
      const seenBy = new Map<number, string>();
      const drain = async (outbox: ReturnType<typeof createRedisOutbox>, worker: string): Promise<number> => {
        let sent = 0;
        for (;;) {
          const batch = await outbox.claim(worker, 25, 60_000, T0 + 1);
          if (batch.length === 0) return sent;
          for (const item of batch) {
            expect(seenBy.get(item.chatId), `chat ${item.chatId} handed out twice`).toBeUndefined();
            seenBy.set(item.chatId, worker);
          }
          sent += await outbox.ack(batch.map((i) => i.id), worker);
        }
      };
      const [sentA, sentB] = await Promise.all([drain(outboxA, "instance-a"), drain(outboxB, "instance-b")]);
      expect(sentA + sentB).toBe(3000);
      expect(sentA).toBeGreaterThan(0);
      expect(sentB).toBeGreaterThan(0);
      expect(await outboxB.stats()).toEqual({ pending: 0, claimed: 0, sent: 3000, failed: 0 });
      await a.dispose();
      await b.close();
    });

    it("enqueues a fan-out larger than one script slice with every cursor moved and duplicates across slices counted once", async () => {
      const connection = await freshConnection();
      const subscribers = createRedisSubscriberStore(connection);
      const outbox = createRedisOutbox(connection);
      const chats = Array.from({ length: 2500 }, (_, i) => 10_000 + i);
      for (const chatId of chats) await subscribers.subscribe(chatId, { now: T0, cursor: 3 });
      // The same chat near the start and again in the last slice.
      const withRepeats = [...chats, 10_000, 10_001];
      expect(await outbox.enqueueDigest({ id: "big", payload: 1 }, withRepeats, 8, T0)).toEqual({ added: 2500, already: 2 });
      let after: number | null = null;
      const cursors = new Set<number>();
      for (;;) {
        const page = await subscribers.page(after, 1000);
        if (page.length === 0) break;
        for (const s of page) cursors.add(s.cursor);
        after = page[page.length - 1]!.chatId;
      }
      expect([...cursors]).toEqual([8]);
      const ids = (await outbox.claim("w", 3000, 60_000, T0)).map((i) => i.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(2500);
      await connection.dispose();
    });

    it("finishes the fan-out of a process killed with SIGKILL mid-send, once its lease has run out", async () => {
      const prefix = freshPrefix();
      const LEASE = 30_000;
      const connection = await freshConnection(prefix);
      const outbox = createRedisOutbox(connection);
      const chats = Array.from({ length: 30 }, (_, i) => 100 + i);
      await outbox.enqueue({ id: "d", payload: samplePayload("d") }, chats, T0);

      const script = join(temp.dir, "doomed-worker.mts");
      const module = (name: string): string => JSON.stringify(new URL(`../../../digest/store/${name}`, import.meta.url).href);
      // Claims 10, "sends" and acks 4, tells the parent, then hangs as if stuck in sendMessage.
      writeFileSync(
        script,
        `import { openRedis } from ${module("redis-connection.ts")};
         import { createRedisOutbox } from ${module("redis-outbox.ts")};
         const [url, keyPrefix] = process.argv.slice(2) as [string, string];
         const outbox = createRedisOutbox(await openRedis(url, { keyPrefix }));
         const batch = await outbox.claim("doomed", 10, ${LEASE}, ${T0});
         await outbox.ack(batch.slice(0, 4).map((i) => i.id), "doomed");
         process.stdout.write(JSON.stringify(batch.map((i) => i.chatId)) + "\\n");
         setInterval(() => {}, 60_000);`,
      );
      const child = spawn(process.execPath, ["--import", "tsx", script, url, prefix], { cwd: projectRoot });
      let out = "";
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const claimedByChild = await new Promise<number[]>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.endsWith("\n")) resolve(JSON.parse(out) as number[]);
        });
        child.once("exit", (code) => reject(new Error(`worker exited early (${String(code)}): ${err}`)));
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;

      expect(claimedByChild).toEqual(chats.slice(0, 10));
      // Before the lease ends the survivor gets only what nobody held.
      const free = await outbox.claim("survivor", 100, LEASE, T0 + 1);
      expect(free.map((i) => i.chatId)).toEqual(chats.slice(10));
      await outbox.ack(free.map((i) => i.id), "survivor");
      // After it, the dead worker's unacked items: the only ones that may reach a chat twice.
      const orphans = await outbox.claim("survivor", 100, LEASE, T0 + LEASE);
      expect(orphans.map((i) => i.chatId)).toEqual(chats.slice(4, 10));
      await outbox.ack(orphans.map((i) => i.id), "survivor");
      expect(await outbox.stats()).toEqual({ pending: 0, claimed: 0, sent: 30, failed: 0 });
      await connection.dispose();
    }, 30_000);

    it("lets finished items and an idle digest's keys expire after retainMs, but never an unfinished item", async () => {
      const connection = await freshConnection();
      const keepsForAMonth = createRedisOutbox(connection);
      await keepsForAMonth.enqueue({ id: "month", payload: 1 }, [1], T0);
      const [monthItem] = await keepsForAMonth.claim("w", 1, 60_000, T0);
      await keepsForAMonth.ack([monthItem!.id], "w");
      const monthTtl = await connection.client.pTTL(connection.key("outbox", "item", String(monthItem!.id)));
      expect(monthTtl).toBeGreaterThan(29 * 24 * 3_600_000);

      const outbox = createRedisOutbox(connection, { retainMs: 300 });
      await outbox.enqueue({ id: "d", payload: samplePayload("d") }, [1, 2, 3], T0);
      const [sent, failed] = await outbox.claim("w", 2, 60_000, T0);
      await outbox.ack([sent!.id], "w");
      await outbox.fail(failed!.id, "w", "403: bot was blocked by the user");
      const pendingId = failed!.id + 1;
      await new Promise((r) => setTimeout(r, 600));
      expect(await outbox.item(sent!.id)).toBeUndefined();
      expect(await outbox.item(failed!.id)).toBeUndefined();
      expect(await outbox.digestPayload("d")).toBeUndefined();
      expect(await outbox.item(pendingId)).toMatchObject({ status: "pending", chatId: 3 });
      expect((await outbox.claim("w", 5, 60_000, T0)).map((i) => i.id)).toEqual([pendingId]);
      expect(await outbox.stats()).toEqual({ pending: 0, claimed: 1, sent: 2, failed: 1 });
      expect(() => createRedisOutbox(connection, { retainMs: 0 })).toThrow(RangeError);
      await connection.dispose();
    });

    it("lets a second instance finish a dead instance's claimed items after the lease, with no loss", async () => {
      const prefix = freshPrefix();
      const dying = await freshConnection(prefix);
      const survivor = await freshConnection(prefix);
      const LEASE = 30_000;
      await createRedisOutbox(dying).enqueue({ id: "d", payload: 1 }, [1, 2, 3, 4, 5], T0);
      const inFlight = await createRedisOutbox(dying).claim("dying", 3, LEASE, T0);
      await createRedisOutbox(dying).ack([inFlight[0]!.id], "dying");
      dying.client.destroy(); // the process is gone: no ack, no release
      const outbox = createRedisOutbox(survivor);
      expect((await outbox.claim("survivor", 10, LEASE, T0 + 1)).map((i) => i.chatId)).toEqual([4, 5]);
      expect((await outbox.claim("survivor", 10, LEASE, T0 + LEASE)).map((i) => i.chatId)).toEqual([2, 3]);
      expect(await outbox.digestStats("d")).toEqual({ pending: 0, claimed: 4, sent: 1, failed: 0 });
      await survivor.dispose();
    });
  });

  describe("lock across instances", () => {
    it("lets exactly one of three instances win each round", async () => {
      const prefix = freshPrefix();
      const connections = [await freshConnection(prefix), await freshConnection(prefix), await freshConnection(prefix)];
      const locks = connections.map(createRedisLock);
      const ROUNDS = 300;
      const wins = [0, 0, 0];
      for (let round = 0; round < ROUNDS; round++) {
        const now = T0 + round * 60_000;
        const got = await Promise.all(locks.map((lock, i) => lock.acquire(`tick-${round}`, `host-${i}`, 30_000, now)));
        expect(got.filter(Boolean)).toHaveLength(1);
        wins[got.indexOf(true)]! += 1;
      }
      console.info(`[lock redis] ${ROUNDS} rounds, wins per instance: ${wins.join(" / ")}`);
      for (const c of connections) await c.close();
      await deleteKeysUnder(url, prefix);
    });

    it("leaves no key behind once a crashed holder's lease has ended on the real clock", async () => {
      const connection = await freshConnection();
      const lock = createRedisLock(connection);
      expect(await lock.acquire("tick", "crashed", 200, Date.now())).toBe(true);
      expect(await connection.client.exists(connection.key("lock", "tick"))).toBe(1);
      await new Promise((r) => setTimeout(r, 350));
      expect(await connection.client.exists(connection.key("lock", "tick"))).toBe(0);
      expect(await lock.acquire("tick", "next", 200, Date.now())).toBe(true);
      await connection.dispose();
    });
  });
});
