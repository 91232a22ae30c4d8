/**
 * The Lock port: a named lease with an owner and an expiry, so that one process at a time runs a job
 * (the digest cron tick, a fan-out) and a crashed holder's lock frees itself when its lease ends.
 * Times are passed in (`now`), as everywhere in digest/.
 */
export interface Lock {
  /**
   * Takes `name` for `owner` until now + ttlMs when it is free, expired, or already this owner's
   * (then the lease is extended). Returns whether `owner` holds it now.
   */
  acquire(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  /**
   * Extends the lease of a holder whose lease has not ended. False when `owner` does not hold it or
   * the lease ran out (as with a Redis key that expired: the holder must acquire again and must
   * assume someone else may have run meanwhile).
   */
  renew(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  /** Frees `name` if `owner` holds it; returns whether it did. Another owner's lock is left alone. */
  release(name: string, owner: string): Promise<boolean>;
  /** Who holds `name` at `now`, or null (for /stats and logs). */
  holder(name: string, now: number): Promise<{ owner: string; expiresAt: number } | null>;
  close(): Promise<void>;
}

/** Shared argument check: a zero, negative or fractional ttl would make a lock that is never held. */
export function requireLockArguments(operation: string, name: string, owner: string, ttlMs: number, now: number): void {
  if (name === "") throw new RangeError(`${operation}: the lock name must not be empty`);
  if (owner === "") throw new RangeError(`${operation}: the owner must not be empty`);
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`${operation}: ttlMs must be a positive integer, got ${String(ttlMs)}`);
  if (!Number.isSafeInteger(now)) throw new RangeError(`${operation}: now must be an integer epoch ms, got ${String(now)}`);
}
