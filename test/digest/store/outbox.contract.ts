/**
 * The Outbox contract: every adapter must pass this same suite. The factory returns a fresh, empty
 * outbox together with the subscriber store whose cursors its `enqueueDigest` advances.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Outbox, OutboxItem } from "../../../digest/store/outbox.js";
import { OutboxPayloadError } from "../../../digest/store/outbox.js";
import type { SubscriberStore } from "../../../digest/store/ports.js";
import { StoreClosedError } from "../../../digest/store/errors.js";

export interface OutboxFixture {
  outbox: Outbox;
  subscribers: SubscriberStore;
  /** Closes both and whatever they were opened on. */
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1, 8);
const LEASE = 30_000;

/** A payload shaped like the rendered messages the bot stores: text with entities, odd code points. */
export const samplePayload = (tag: string) => ({
  messages: [
    {
      text: `今日摘要 ${tag} — 曹良铉：“经济正在放缓。” 😀 硏究`,
      entities: [{ type: "bold", offset: 0, length: 4 }, { type: "text_link", offset: 5, length: 3, url: "https://example.org/a?(1)" }],
    },
  ],
  buttons: [[{ text: "全文", callback_data: `full:${tag}` }]],
});

const digest = (id: string) => ({ id, payload: samplePayload(id) });
const pairs = (items: OutboxItem[]) => items.map((i) => [i.digestId, i.chatId]);

export function runOutboxContract(adapter: string, makeFixture: () => Promise<OutboxFixture> | OutboxFixture): void {
  describe(`Outbox contract: ${adapter}`, () => {
    let fixture: OutboxFixture;
    const fresh = async (): Promise<Outbox> => {
      fixture = await makeFixture();
      return fixture.outbox;
    };
    afterEach(async () => {
      await fixture.close();
    });

    it("queues one pending item per chat and stores the payload so it reads back equal", async () => {
      const o = await fresh();
      expect(await o.enqueue(digest("d1"), [10, 20, -1_001_234_567_890], T0)).toEqual({ added: 3, already: 0 });
      expect(await o.stats()).toEqual({ pending: 3, claimed: 0, sent: 0, failed: 0 });
      expect(await o.digestPayload("d1")).toEqual(samplePayload("d1"));
      expect(await o.digestPayload("never-queued")).toBeUndefined();
      const [first] = await o.claim("w1", 1, LEASE, T0);
      expect(first).toEqual({
        id: first!.id,
        digestId: "d1",
        chatId: 10,
        status: "claimed",
        attempts: 0,
        enqueuedAt: T0,
        notBefore: T0,
        worker: "w1",
        leaseUntil: T0 + LEASE,
        lastError: null,
      });
      expect(await o.item(first!.id)).toEqual(first);
    });

    it("is idempotent on (digest, chat): the same pair twice adds nothing, new chats are added", async () => {
      const o = await fresh();
      await o.enqueue(digest("d1"), [1, 2, 3], T0);
      expect(await o.enqueue(digest("d1"), [3, 2, 1], T0 + 1000)).toEqual({ added: 0, already: 3 });
      expect(await o.enqueue(digest("d1"), [3, 4, 4], T0 + 2000)).toEqual({ added: 1, already: 2 });
      // Another digest to the same chat is another item.
      expect(await o.enqueue(digest("d2"), [1], T0 + 3000)).toEqual({ added: 1, already: 0 });
      expect(await o.stats()).toEqual({ pending: 5, claimed: 0, sent: 0, failed: 0 });

      // A pair already delivered is not queued again either.
      const claimed = await o.claim("w1", 10, LEASE, T0 + 4000);
      await o.ack(claimed.map((i) => i.id), "w1");
      expect(await o.enqueue(digest("d1"), [1, 2, 3, 4], T0 + 5000)).toEqual({ added: 0, already: 4 });
      expect(await o.stats()).toEqual({ pending: 0, claimed: 0, sent: 5, failed: 0 });
    });

    it("keeps the first payload of a digest id when the same id is enqueued again", async () => {
      const o = await fresh();
      await o.enqueue({ id: "d1", payload: { v: 1 } }, [1], T0);
      await o.enqueue({ id: "d1", payload: { v: 2 } }, [2], T0 + 1);
      expect(await o.digestPayload("d1")).toEqual({ v: 1 });
    });

    it("refuses a payload that has no JSON form, and queues nothing for it", async () => {
      const o = await fresh();
      await expect(o.enqueue({ id: "bad", payload: { n: 10n } }, [1], T0)).rejects.toThrow(OutboxPayloadError);
      await expect(o.enqueue({ id: "bad", payload: undefined }, [1], T0)).rejects.toThrow(OutboxPayloadError);
      expect(await o.stats()).toEqual({ pending: 0, claimed: 0, sent: 0, failed: 0 });
      expect(await o.digestPayload("bad")).toBeUndefined();
    });

    it("claims due items oldest enqueued first, at most n, and leases them", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [3, 1, 2], T0);
      await o.enqueue(digest("b"), [1], T0 + 1);
      const firstTwo = await o.claim("w1", 2, LEASE, T0 + 10);
      expect(pairs(firstTwo)).toEqual([["a", 3], ["a", 1]]);
      expect(firstTwo.every((i) => i.worker === "w1" && i.leaseUntil === T0 + 10 + LEASE)).toBe(true);
      const rest = await o.claim("w2", 10, LEASE, T0 + 20);
      expect(pairs(rest)).toEqual([["a", 2], ["b", 1]]);
      expect(await o.claim("w3", 10, LEASE, T0 + 30)).toEqual([]);
      expect(await o.stats()).toEqual({ pending: 0, claimed: 4, sent: 0, failed: 0 });
      expect(await o.claim("w3", 0, LEASE, T0 + 30)).toEqual([]);
    });

    it("does not hand out an item before its enqueue time", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [1], T0);
      expect(await o.claim("w1", 5, LEASE, T0 - 1)).toEqual([]);
      expect(pairs(await o.claim("w1", 5, LEASE, T0))).toEqual([["a", 1]]);
    });

    it("lets another worker reclaim an item once its lease has run out, and refuses the first worker's ack", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [1, 2], T0);
      const [item] = await o.claim("w1", 1, LEASE, T0);
      // Still leased: the other worker gets only the free item.
      expect(pairs(await o.claim("w2", 5, LEASE, T0 + LEASE - 1))).toEqual([["a", 2]]);
      // The lease ends at T0 + LEASE: due from that instant.
      const reclaimed = await o.claim("w3", 5, LEASE, T0 + LEASE);
      expect(reclaimed.map((i) => i.id)).toEqual([item!.id]);
      expect(reclaimed[0]).toMatchObject({ worker: "w3", leaseUntil: T0 + 2 * LEASE, status: "claimed" });

      expect(await o.ack([item!.id], "w1")).toBe(0);
      expect(await o.retry(item!.id, "w1", T0, "late")).toBe(false);
      expect(await o.fail(item!.id, "w1", "late")).toBe(false);
      expect(await o.item(item!.id)).toMatchObject({ status: "claimed", worker: "w3" });
      expect(await o.ack([item!.id], "w3")).toBe(1);
      expect(await o.item(item!.id)).toMatchObject({ status: "sent", worker: "w3", leaseUntil: null });
    });

    it("extends the leases a worker still holds: no other worker takes them until the new end", async () => {
      const o = await fresh();
      await o.enqueue(digest("d1"), [1, 2, 3], T0);
      const held = await o.claim("w1", 2, LEASE, T0 + 10);
      const ids = held.map((i) => i.id);
      // Half-way through the lease w1 renews it; a stranger's extend changes nothing.
      expect(await o.extend([...ids, ids[0]!], "w1", T0 + 10 + 3 * LEASE)).toBe(2);
      expect(await o.extend(ids, "w2", T0 + 10 + 9 * LEASE)).toBe(0);
      expect((await o.item(ids[0]!))?.leaseUntil).toBe(T0 + 10 + 3 * LEASE);
      // After the first lease would have ended, only the third, never-claimed item is due.
      const third = await o.claim("w2", 10, LEASE, T0 + 10 + 2 * LEASE);
      expect(pairs(third)).toEqual([["d1", 3]]);
      expect(await o.ack(ids, "w1")).toBe(2);
      expect(await o.ack([third[0]!.id], "w2")).toBe(1);
      // Nothing left to extend once acked; an item whose renewed lease ended is reclaimable as before.
      expect(await o.extend(ids, "w1", T0 + 10 + 9 * LEASE)).toBe(0);
      await o.enqueue(digest("d2"), [9], T0 + 20);
      const [late] = await o.claim("w1", 1, LEASE, T0 + 10 + 4 * LEASE);
      expect(await o.extend([late!.id], "w1", T0 + 10 + 5 * LEASE)).toBe(1);
      expect(pairs(await o.claim("w3", 10, LEASE, T0 + 10 + 5 * LEASE - 1))).toEqual([]);
      expect(pairs(await o.claim("w3", 10, LEASE, T0 + 10 + 5 * LEASE))).toEqual([["d2", 9]]);
      expect(await o.stats()).toEqual({ pending: 0, claimed: 1, sent: 3, failed: 0 });
    });

    it("accepts the ack of a worker whose lease ran out when nobody took the item over (the send happened)", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [1], T0);
      const [item] = await o.claim("w1", 1, 1000, T0);
      expect(await o.ack([item!.id], "w1")).toBe(1);
      expect(await o.claim("w2", 1, 1000, T0 + 5000)).toEqual([]);
    });

    it("acks only the listed items this worker holds, and an ack twice counts once", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [1, 2, 3, 4], T0);
      const mine = await o.claim("w1", 2, LEASE, T0);
      const theirs = await o.claim("w2", 1, LEASE, T0);
      const ids = [...mine.map((i) => i.id), theirs[0]!.id, 999_999];
      expect(await o.ack(ids, "w1")).toBe(2);
      expect(await o.ack(ids, "w1")).toBe(0);
      expect(await o.ack([], "w1")).toBe(0);
      expect(await o.stats()).toEqual({ pending: 1, claimed: 1, sent: 2, failed: 0 });
      // Neither can a worker ack an item it never claimed, pending or held by another.
      expect(await o.ack([ids[0]! + 3], "w1")).toBe(0);
      const heldByW9 = (await o.claim("w9", 1, LEASE, T0)).map((i) => i.id);
      expect(await o.ack(heldByW9, "w1")).toBe(0);
      expect(await o.stats()).toEqual({ pending: 0, claimed: 2, sent: 2, failed: 0 });
    });

    it("retries: the item comes back due at the given time with attempts + 1 and the reason", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [1, 2], T0);
      const [item] = await o.claim("w1", 1, LEASE, T0);
      const at = T0 + 17_000;
      expect(await o.retry(item!.id, "w1", at, "429: retry after 17")).toBe(true);
      expect(await o.item(item!.id)).toMatchObject({ status: "pending", notBefore: at, attempts: 1, lastError: "429: retry after 17", leaseUntil: null });
      expect(await o.stats()).toEqual({ pending: 2, claimed: 0, sent: 0, failed: 0 });
      // Before `at` only the other item is due; the retried one is not handed out early.
      expect(pairs(await o.claim("w2", 5, LEASE, at - 1))).toEqual([["a", 2]]);
      // Once due it goes first again: it was enqueued first.
      await o.enqueue(digest("b"), [1], at - 1);
      const again = await o.claim("w2", 1, LEASE, at);
      expect(again.map((i) => i.id)).toEqual([item!.id]);
      expect(again[0]).toMatchObject({ attempts: 1, worker: "w2" });
      expect(await o.retry(item!.id, "w1", at, "not mine any more")).toBe(false);
      expect(await o.retry(item!.id, "w2", at + 1000, "500")).toBe(true);
      expect((await o.item(item!.id))?.attempts).toBe(2);
    });

    it("fails an item for good: never claimed again, reason kept, counted as failed", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [1, 2], T0);
      const [item] = await o.claim("w1", 1, LEASE, T0);
      expect(await o.fail(item!.id, "w2", "403: bot was blocked by the user")).toBe(false);
      expect(await o.fail(item!.id, "w1", "403: bot was blocked by the user")).toBe(true);
      expect(await o.item(item!.id)).toMatchObject({ status: "failed", lastError: "403: bot was blocked by the user" });
      expect(await o.fail(item!.id, "w1", "again")).toBe(false);
      expect(await o.ack([item!.id], "w1")).toBe(0);
      expect(pairs(await o.claim("w1", 5, LEASE, T0 + 10 * LEASE))).toEqual([["a", 2]]);
      expect(await o.stats()).toEqual({ pending: 0, claimed: 1, sent: 0, failed: 1 });
    });

    it("counts per digest as well as overall", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [1, 2, 3], T0);
      await o.enqueue(digest("b"), [1, 2], T0);
      const claimed = await o.claim("w1", 4, LEASE, T0);
      await o.ack([claimed[0]!.id, claimed[1]!.id], "w1");
      await o.fail(claimed[2]!.id, "w1", "400: chat not found");
      expect(await o.digestStats("a")).toEqual({ pending: 0, claimed: 0, sent: 2, failed: 1 });
      expect(await o.digestStats("b")).toEqual({ pending: 1, claimed: 1, sent: 0, failed: 0 });
      expect(await o.digestStats("none")).toEqual({ pending: 0, claimed: 0, sent: 0, failed: 0 });
      expect(await o.stats()).toEqual({ pending: 1, claimed: 1, sent: 2, failed: 1 });
    });

    it("enqueueDigest queues and advances the listed subscribers' cursors together, forward only", async () => {
      const o = await fresh();
      const subs = fixture.subscribers;
      await subs.subscribe(1, { now: T0, cursor: 4 });
      await subs.subscribe(2, { now: T0, cursor: 4 });
      await subs.subscribe(3, { now: T0, cursor: 12 });
      expect(await o.enqueueDigest(digest("d5-9"), [1, 2], 9, T0)).toEqual({ added: 2, already: 0 });
      expect((await subs.get(1))?.cursor).toBe(9);
      expect((await subs.get(2))?.cursor).toBe(9);
      expect((await subs.get(3))?.cursor).toBe(12);
      expect(pairs(await o.claim("w", 10, LEASE, T0))).toEqual([["d5-9", 1], ["d5-9", 2]]);

      // Running the same tick again (say after a crash just after it) changes nothing.
      expect(await o.enqueueDigest(digest("d5-9"), [1, 2], 9, T0 + 1)).toEqual({ added: 0, already: 2 });
      // An older cursor never moves a subscriber back.
      await o.enqueueDigest(digest("old"), [3], 10, T0 + 2);
      expect((await subs.get(3))?.cursor).toBe(12);
      await expect(o.enqueueDigest(digest("neg"), [1], -1, T0)).rejects.toThrow(RangeError);
      expect(await o.digestPayload("neg")).toBeUndefined();
    });

    it("rejects meaningless claim arguments", async () => {
      const o = await fresh();
      await o.enqueue(digest("a"), [1], T0);
      await expect(o.claim("", 1, LEASE, T0)).rejects.toThrow(RangeError);
      await expect(o.claim("w", -1, LEASE, T0)).rejects.toThrow(RangeError);
      await expect(o.claim("w", 1.5, LEASE, T0)).rejects.toThrow(RangeError);
      await expect(o.claim("w", 1, 0, T0)).rejects.toThrow(RangeError);
      await expect(o.enqueue({ id: "", payload: 1 }, [1], T0)).rejects.toThrow(RangeError);
      expect(await o.stats()).toEqual({ pending: 1, claimed: 0, sent: 0, failed: 0 });
    });

    it("queues 10,000 chats for one digest in one call, fast, and drains them exactly once", async () => {
      const o = await fresh();
      const chats = Array.from({ length: 10_000 }, (_, i) => 1_000_000 + i);
      const started = performance.now();
      expect(await o.enqueue(digest("big"), chats, T0)).toEqual({ added: 10_000, already: 0 });
      const enqueueMs = performance.now() - started;

      const drainStarted = performance.now();
      const seen = new Set<number>();
      for (;;) {
        const batch = await o.claim("w1", 25, LEASE, T0 + 1);
        if (batch.length === 0) break;
        for (const item of batch) seen.add(item.chatId);
        expect(await o.ack(batch.map((i) => i.id), "w1")).toBe(batch.length);
      }
      const drainMs = performance.now() - drainStarted;
      console.info(
        `[outbox ${adapter}] enqueue 10,000 items: ${enqueueMs.toFixed(0)} ms; claim 25 + ack, 400 rounds: ${drainMs.toFixed(0)} ms`,
      );
      expect(seen.size).toBe(10_000);
      expect(await o.stats()).toEqual({ pending: 0, claimed: 0, sent: 10_000, failed: 0 });
      // "Fast": a cron tick must not stall the bot. Generous bound for a loaded 2-core machine.
      expect(enqueueMs).toBeLessThan(2000);
    }, 60_000);

    it("refuses use after close with StoreClosedError", async () => {
      const o = await fresh();
      await o.close();
      await expect(o.enqueue(digest("a"), [1], T0)).rejects.toThrow(StoreClosedError);
      await expect(o.claim("w", 1, LEASE, T0)).rejects.toThrow(StoreClosedError);
      await expect(o.stats()).rejects.toThrow(StoreClosedError);
    });
  });
}
