/**
 * The Outbox port: delivery state per (digest, chat), so that a crash or a flood wait never loses a
 * digest (DESIGN §6-§7). A digest's rendered messages are stored once; each chat that should get it
 * has one item, which a worker claims under a lease, sends, and acks. An item whose lease runs out
 * (the worker died mid-send) becomes due again, so at most the sends in flight at a crash repeat.
 */

/** What to deliver: the digest id and its rendered messages (any JSON value). */
export interface OutboxDigest {
  id: string;
  /** Stored once per digest as JSON, whatever the number of chats. */
  payload: unknown;
}

export type OutboxItemStatus = "pending" | "claimed" | "sent" | "failed";

/** One (digest, chat) delivery. */
export interface OutboxItem {
  /** Increases with enqueue order; the handle for ack/retry/fail. */
  id: number;
  digestId: string;
  chatId: number;
  status: OutboxItemStatus;
  /** How many times it was put back with `retry`. */
  attempts: number;
  enqueuedAt: number;
  /** Not due before this instant (epoch ms). */
  notBefore: number;
  /** The worker that claimed it last (kept after ack/fail, for the record). */
  worker: string | null;
  /** While claimed: the lease ends here; after that another worker may claim it. */
  leaseUntil: number | null;
  /** The reason given by the last retry or fail. */
  lastError: string | null;
}

export interface OutboxCounts {
  pending: number;
  /** Claimed and not yet acked, failed or put back (including leases that have run out). */
  claimed: number;
  sent: number;
  failed: number;
}

export interface EnqueueResult {
  /** Items created by this call. */
  added: number;
  /** (digest, chat) pairs that were already queued, whatever their state: left untouched. */
  already: number;
}

export interface Outbox {
  /**
   * Queues `digest` for each chat. Idempotent on (digest.id, chatId): a pair already queued is not
   * queued again. The payload is stored with the first enqueue of a digest id; later enqueues of
   * the same id keep it (a re-run after a crash may render a byte-different copy of the same digest).
   */
  enqueue(digest: OutboxDigest, chatIds: readonly number[], now: number): Promise<EnqueueResult>;
  /**
   * `enqueue`, and in the same transaction moves the subscribers' cursors of `chatIds` forward to
   * `cursor`: either both happen or neither, so a crash between them cannot lose or repeat a digest.
   */
  enqueueDigest(digest: OutboxDigest, chatIds: readonly number[], cursor: number, now: number): Promise<EnqueueResult>;
  /**
   * Leases up to `n` due items to `worker` for `leaseMs`, oldest enqueued first. Due: pending with
   * notBefore ≤ now, or claimed with a lease that ended at or before now.
   */
  claim(worker: string, n: number, leaseMs: number, now: number): Promise<OutboxItem[]>;
  /**
   * Marks items sent. Only items this worker still holds are acked (a lease that ran out but was not
   * taken by another worker still counts: the send happened). Returns how many were acked.
   */
  ack(itemIds: readonly number[], worker: string): Promise<number>;
  /**
   * Renews the lease of items this worker still holds, to `leaseUntil` (a send that waits long — a
   * 429's retry_after, a busy shared rate — must not be taken and sent again by another worker).
   * Items acked, failed, put back or claimed by another worker are left alone. Returns how many.
   */
  extend(itemIds: readonly number[], worker: string, leaseUntil: number): Promise<number>;
  /** Puts a held item back, due at `at`, with attempts + 1. False when the worker does not hold it. */
  retry(itemId: number, worker: string, at: number, reason: string): Promise<boolean>;
  /** Final failure of a held item. False when the worker does not hold it. */
  fail(itemId: number, worker: string, reason: string): Promise<boolean>;
  /** Items by status, over all digests. */
  stats(): Promise<OutboxCounts>;
  /** Items by status for one digest. */
  digestStats(digestId: string): Promise<OutboxCounts>;
  /** The payload stored for a digest, or undefined when the id was never enqueued. */
  digestPayload(digestId: string): Promise<unknown>;
  /** One item by id (for logs and tests), or undefined. */
  item(itemId: number): Promise<OutboxItem | undefined>;
  close(): Promise<void>;
}

/** The payload is not JSON (a function, a BigInt, a cycle, or undefined), so it cannot be stored. */
export class OutboxPayloadError extends Error {
  override name = "OutboxPayloadError";
  constructor(
    readonly digestId: string,
    options?: { cause?: unknown },
  ) {
    super(`outbox: the payload of digest ${JSON.stringify(digestId)} cannot be stored as JSON`, options);
  }
}

/** The payload as stored: JSON text. Throws OutboxPayloadError when it has no JSON form. */
export function payloadJson(digest: OutboxDigest): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(digest.payload);
  } catch (error) {
    throw new OutboxPayloadError(digest.id, { cause: error });
  }
  if (json === undefined) throw new OutboxPayloadError(digest.id);
  return json;
}

/** Argument checks shared by the adapters: what SQLite would silently misread must fail loudly. */
export function requireClaimArguments(worker: string, n: number, leaseMs: number, now: number): void {
  if (worker === "") throw new RangeError("claim: worker must be a non-empty name");
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`claim: n must be a non-negative integer, got ${String(n)}`);
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0)
    throw new RangeError(`claim: leaseMs must be a positive integer, got ${String(leaseMs)}`);
  if (!Number.isSafeInteger(now)) throw new RangeError(`claim: now must be an integer epoch ms, got ${String(now)}`);
}

export function requireDigestId(operation: string, digestId: string): void {
  if (digestId === "") throw new RangeError(`${operation}: the digest id must not be empty`);
}
