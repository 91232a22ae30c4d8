/**
 * The SQLite Outbox: `outbox_digests` holds each payload once, `outbox_items` one row per
 * (digest, chat). Every write that reads first runs in an IMMEDIATE transaction, so two processes
 * sharing the file never both claim one row.
 */
import { requireCount, StoreClosedError, StoredDataError } from "./errors.js";
import type { EnqueueResult, Outbox, OutboxCounts, OutboxDigest, OutboxItem, OutboxItemStatus } from "./outbox.js";
import { payloadJson, requireClaimArguments, requireDigestId } from "./outbox.js";
import type { SqliteDb } from "./sqlite-db.js";
import { prepareCursorAdvance } from "./sqlite-subscribers.js";

interface ItemRow {
  id: number;
  digest_id: string;
  chat_id: number;
  status: OutboxItemStatus;
  attempts: number;
  enqueued_at: number;
  not_before: number;
  worker: string | null;
  lease_until: number | null;
  last_error: string | null;
}

const ITEM_COLUMNS = "id, digest_id, chat_id, status, attempts, enqueued_at, not_before, worker, lease_until, last_error";

const toItem = (row: ItemRow): OutboxItem => ({
  id: row.id,
  digestId: row.digest_id,
  chatId: row.chat_id,
  status: row.status,
  attempts: row.attempts,
  enqueuedAt: row.enqueued_at,
  notBefore: row.not_before,
  worker: row.worker,
  leaseUntil: row.lease_until,
  lastError: row.last_error,
});

const toCounts = (rows: Array<{ status: OutboxItemStatus; n: number }>): OutboxCounts => {
  const counts: OutboxCounts = { pending: 0, claimed: 0, sent: 0, failed: 0 };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
};

/**
 * An Outbox over `db`; `enqueueDigest` advances cursors in the same database's `subscribers` table.
 * `close()` only retires this outbox: whoever opened the SqliteDb closes it.
 */
export function createSqliteOutbox(db: SqliteDb): Outbox {
  const c = db.connection;
  const insertDigest = c.prepare("INSERT OR IGNORE INTO outbox_digests (id, payload, created_at) VALUES (?, ?, ?)");
  const insertItem = c.prepare(
    `INSERT OR IGNORE INTO outbox_items (digest_id, chat_id, status, enqueued_at, not_before)
     VALUES (?, ?, 'pending', ?, ?)`,
  );
  // The inner SELECT walks the partial index `outbox_items_open` in id order and stops after n due
  // rows; the outer UPDATE leases exactly those.
  const claimDue = c.prepare<{ worker: string; n: number; now: number; leaseUntil: number }, ItemRow>(
    `UPDATE outbox_items SET status = 'claimed', worker = @worker, lease_until = @leaseUntil
     WHERE id IN (
       SELECT id FROM outbox_items
       WHERE status IN ('pending', 'claimed')
         AND ((status = 'pending' AND not_before <= @now) OR (status = 'claimed' AND lease_until <= @now))
       ORDER BY id
       LIMIT @n)
     RETURNING ${ITEM_COLUMNS}`,
  );
  const ackOne = c.prepare(
    "UPDATE outbox_items SET status = 'sent', lease_until = NULL WHERE id = ? AND status = 'claimed' AND worker = ?",
  );
  const extendOne = c.prepare("UPDATE outbox_items SET lease_until = ? WHERE id = ? AND status = 'claimed' AND worker = ?");
  const retryOne = c.prepare(
    `UPDATE outbox_items SET status = 'pending', not_before = ?, lease_until = NULL, attempts = attempts + 1, last_error = ?
     WHERE id = ? AND status = 'claimed' AND worker = ?`,
  );
  const failOne = c.prepare(
    `UPDATE outbox_items SET status = 'failed', lease_until = NULL, last_error = ?
     WHERE id = ? AND status = 'claimed' AND worker = ?`,
  );
  const selectStats = c.prepare<[], { status: OutboxItemStatus; n: number }>(
    "SELECT status, COUNT(*) AS n FROM outbox_items GROUP BY status",
  );
  const selectDigestStats = c.prepare<[string], { status: OutboxItemStatus; n: number }>(
    "SELECT status, COUNT(*) AS n FROM outbox_items WHERE digest_id = ? GROUP BY status",
  );
  const selectPayload = c.prepare<[string], string>("SELECT payload FROM outbox_digests WHERE id = ?").pluck();
  const selectItem = c.prepare<[number], ItemRow>(`SELECT ${ITEM_COLUMNS} FROM outbox_items WHERE id = ?`);
  const advanceCursors = prepareCursorAdvance(c);

  const enqueueRows = (digest: OutboxDigest, json: string, chatIds: readonly number[], now: number): EnqueueResult => {
    insertDigest.run(digest.id, json, now);
    let added = 0;
    for (const chatId of chatIds) added += insertItem.run(digest.id, chatId, now, now).changes;
    return { added, already: chatIds.length - added };
  };
  const enqueueInTransaction = c.transaction(enqueueRows);
  const enqueueDigestInTransaction = c.transaction(
    (digest: OutboxDigest, json: string, chatIds: readonly number[], cursor: number, now: number): EnqueueResult => {
      const result = enqueueRows(digest, json, chatIds, now);
      advanceCursors(chatIds, cursor);
      return result;
    },
  );
  const claimInTransaction = c.transaction((worker: string, n: number, leaseMs: number, now: number): OutboxItem[] =>
    claimDue
      .all({ worker, n, now, leaseUntil: now + leaseMs })
      .map(toItem)
      // RETURNING gives rows in no promised order; callers get them oldest first.
      .sort((a, b) => a.id - b.id),
  );
  const ackInTransaction = c.transaction((itemIds: readonly number[], worker: string): number => {
    let acked = 0;
    for (const id of new Set(itemIds)) acked += ackOne.run(id, worker).changes;
    return acked;
  });

  const extendInTransaction = c.transaction((itemIds: readonly number[], worker: string, leaseUntil: number): number => {
    let extended = 0;
    for (const id of new Set(itemIds)) extended += extendOne.run(leaseUntil, id, worker).changes;
    return extended;
  });

  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("SqliteOutbox", operation);
  };

  return {
    async enqueue(digest, chatIds, now) {
      open("enqueue");
      requireDigestId("enqueue", digest.id);
      return enqueueInTransaction.immediate(digest, payloadJson(digest), chatIds, now);
    },
    async enqueueDigest(digest, chatIds, cursor, now) {
      open("enqueueDigest");
      requireDigestId("enqueueDigest", digest.id);
      requireCount("enqueueDigest", "cursor", cursor);
      return enqueueDigestInTransaction.immediate(digest, payloadJson(digest), chatIds, cursor, now);
    },
    async claim(worker, n, leaseMs, now) {
      open("claim");
      requireClaimArguments(worker, n, leaseMs, now);
      if (n === 0) return [];
      // IMMEDIATE takes the write lock before the SELECT runs: a second process waits for it
      // instead of reading the same due rows from an older snapshot.
      return claimInTransaction.immediate(worker, n, leaseMs, now);
    },
    async ack(itemIds, worker) {
      open("ack");
      return ackInTransaction.immediate(itemIds, worker);
    },
    async extend(itemIds, worker, leaseUntil) {
      open("extend");
      return extendInTransaction.immediate(itemIds, worker, leaseUntil);
    },
    async retry(itemId, worker, at, reason) {
      open("retry");
      return retryOne.run(at, reason, itemId, worker).changes > 0;
    },
    async fail(itemId, worker, reason) {
      open("fail");
      return failOne.run(reason, itemId, worker).changes > 0;
    },
    async stats() {
      open("stats");
      return toCounts(selectStats.all());
    },
    async digestStats(digestId) {
      open("digestStats");
      return toCounts(selectDigestStats.all(digestId));
    },
    async digestPayload(digestId) {
      open("digestPayload");
      const json = selectPayload.get(digestId);
      if (json === undefined) return undefined;
      try {
        return JSON.parse(json) as unknown;
      } catch (error) {
        throw new StoredDataError("outbox_digests", digestId, "payload", { cause: error });
      }
    },
    async item(itemId) {
      open("item");
      const row = selectItem.get(itemId);
      return row === undefined ? undefined : toItem(row);
    },
    async close() {
      closed = true;
    },
  };
}
