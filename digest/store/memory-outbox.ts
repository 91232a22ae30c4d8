/** The Outbox in process memory: for tests and console mode; same contract as SQLite. */
import type { SubscriberStore } from "./ports.js";
import { StoreClosedError } from "./errors.js";
import type { EnqueueResult, Outbox, OutboxCounts, OutboxDigest, OutboxItem } from "./outbox.js";
import { payloadJson, requireClaimArguments, requireDigestId } from "./outbox.js";

const emptyCounts = (): OutboxCounts => ({ pending: 0, claimed: 0, sent: 0, failed: 0 });

/**
 * `subscribers` is the store whose cursors `enqueueDigest` advances. Both live in this process, so
 * "atomic" here means no await between the enqueue and the cursor move that could fail halfway.
 */
export function createMemoryOutbox(subscribers: SubscriberStore): Outbox {
  const payloads = new Map<string, string>();
  const items = new Map<number, OutboxItem>();
  const itemIdByPair = new Map<string, number>();
  // Items a claim may take (pending or claimed), in id order: items only ever leave this map
  // (on ack or fail) and new ones get a higher id, so insertion order stays id order.
  const open = new Map<number, OutboxItem>();
  let nextId = 1;
  let closed = false;

  const ensureOpen = (operation: string): void => {
    if (closed) throw new StoreClosedError("MemoryOutbox", operation);
  };
  const pairKey = (digestId: string, chatId: number): string => `${chatId}\u0000${digestId}`;

  /** The item if `worker` holds it (claimed by it, not yet taken over by another). */
  const held = (itemId: number, worker: string): OutboxItem | undefined => {
    const item = items.get(itemId);
    return item?.status === "claimed" && item.worker === worker ? item : undefined;
  };

  function enqueueNow(digest: OutboxDigest, chatIds: readonly number[], now: number): EnqueueResult {
    requireDigestId("enqueue", digest.id);
    const json = payloadJson(digest);
    if (!payloads.has(digest.id)) payloads.set(digest.id, json);
    let added = 0;
    for (const chatId of chatIds) {
      const key = pairKey(digest.id, chatId);
      if (itemIdByPair.has(key)) continue;
      const item: OutboxItem = {
        id: nextId++,
        digestId: digest.id,
        chatId,
        status: "pending",
        attempts: 0,
        enqueuedAt: now,
        notBefore: now,
        worker: null,
        leaseUntil: null,
        lastError: null,
      };
      items.set(item.id, item);
      open.set(item.id, item);
      itemIdByPair.set(key, item.id);
      added += 1;
    }
    return { added, already: chatIds.length - added };
  }

  const count = (filter: (item: OutboxItem) => boolean): OutboxCounts => {
    const counts = emptyCounts();
    for (const item of items.values()) if (filter(item)) counts[item.status] += 1;
    return counts;
  };

  return {
    async enqueue(digest, chatIds, now) {
      ensureOpen("enqueue");
      return enqueueNow(digest, chatIds, now);
    },
    async enqueueDigest(digest, chatIds, cursor, now) {
      ensureOpen("enqueueDigest");
      // Validate what advanceCursor would reject before anything is queued.
      if (!Number.isSafeInteger(cursor) || cursor < 0)
        throw new RangeError(`enqueueDigest: cursor must be a non-negative integer, got ${String(cursor)}`);
      const result = enqueueNow(digest, chatIds, now);
      await subscribers.advanceCursor([...chatIds], cursor);
      return result;
    },
    async claim(worker, n, leaseMs, now) {
      ensureOpen("claim");
      requireClaimArguments(worker, n, leaseMs, now);
      const taken: OutboxItem[] = [];
      for (const item of open.values()) {
        if (taken.length >= n) break;
        const due = item.status === "pending" ? item.notBefore <= now : (item.leaseUntil ?? 0) <= now;
        if (!due) continue;
        item.status = "claimed";
        item.worker = worker;
        item.leaseUntil = now + leaseMs;
        taken.push({ ...item });
      }
      return taken;
    },
    async ack(itemIds, worker) {
      ensureOpen("ack");
      let acked = 0;
      for (const id of new Set(itemIds)) {
        const item = held(id, worker);
        if (!item) continue;
        item.status = "sent";
        item.leaseUntil = null;
        open.delete(id);
        acked += 1;
      }
      return acked;
    },
    async extend(itemIds, worker, leaseUntil) {
      ensureOpen("extend");
      let extended = 0;
      for (const id of new Set(itemIds)) {
        const item = held(id, worker);
        if (!item) continue;
        item.leaseUntil = leaseUntil;
        extended += 1;
      }
      return extended;
    },
    async retry(itemId, worker, at, reason) {
      ensureOpen("retry");
      const item = held(itemId, worker);
      if (!item) return false;
      item.status = "pending";
      item.notBefore = at;
      item.leaseUntil = null;
      item.attempts += 1;
      item.lastError = reason;
      return true;
    },
    async fail(itemId, worker, reason) {
      ensureOpen("fail");
      const item = held(itemId, worker);
      if (!item) return false;
      item.status = "failed";
      item.leaseUntil = null;
      item.lastError = reason;
      open.delete(itemId);
      return true;
    },
    async stats() {
      ensureOpen("stats");
      return count(() => true);
    },
    async digestStats(digestId) {
      ensureOpen("digestStats");
      return count((item) => item.digestId === digestId);
    },
    async digestPayload(digestId) {
      ensureOpen("digestPayload");
      const json = payloads.get(digestId);
      return json === undefined ? undefined : (JSON.parse(json) as unknown);
    },
    async item(itemId) {
      ensureOpen("item");
      const item = items.get(itemId);
      return item === undefined ? undefined : { ...item };
    },
    async close() {
      closed = true;
    },
  };
}
