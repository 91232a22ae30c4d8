/** The SQLite Lock: one row per held name in the `locks` table of a SqliteDb. */
import { StoreClosedError } from "./errors.js";
import type { Lock } from "./lock.js";
import { requireLockArguments } from "./lock.js";
import type { SqliteDb } from "./sqlite-db.js";

/**
 * A Lock over `db`. Each operation is one statement, and SQLite takes the write lock before a write
 * statement reads, so two processes cannot both see a lock free and both take it.
 * `close()` only retires this adapter: whoever opened the SqliteDb closes it.
 */
export function createSqliteLock(db: SqliteDb): Lock {
  const c = db.connection;
  // The upsert's WHERE decides: a row held by someone else whose lease has not ended stays as it is
  // (changes = 0); a free, expired or own row becomes ours.
  const take = c.prepare(
    `INSERT INTO locks (name, owner, expires_at) VALUES (@name, @owner, @expiresAt)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE locks.owner = excluded.owner OR locks.expires_at <= @now`,
  );
  const extend = c.prepare(
    "UPDATE locks SET expires_at = @expiresAt WHERE name = @name AND owner = @owner AND expires_at > @now",
  );
  const remove = c.prepare("DELETE FROM locks WHERE name = ? AND owner = ?");
  const selectHolder = c.prepare<[string, number], { owner: string; expiresAt: number }>(
    "SELECT owner, expires_at AS expiresAt FROM locks WHERE name = ? AND expires_at > ?",
  );

  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("SqliteLock", operation);
  };

  return {
    async acquire(name, owner, ttlMs, now) {
      open("acquire");
      requireLockArguments("acquire", name, owner, ttlMs, now);
      return take.run({ name, owner, now, expiresAt: now + ttlMs }).changes > 0;
    },
    async renew(name, owner, ttlMs, now) {
      open("renew");
      requireLockArguments("renew", name, owner, ttlMs, now);
      return extend.run({ name, owner, now, expiresAt: now + ttlMs }).changes > 0;
    },
    async release(name, owner) {
      open("release");
      return remove.run(name, owner).changes > 0;
    },
    async holder(name, now) {
      open("holder");
      return selectHolder.get(name, now) ?? null;
    },
    async close() {
      closed = true;
    },
  };
}
