/** The Lock in process memory: for tests and console mode; same contract as SQLite. */
import { StoreClosedError } from "./errors.js";
import type { Lock } from "./lock.js";
import { requireLockArguments } from "./lock.js";

export function createMemoryLock(): Lock {
  const leases = new Map<string, { owner: string; expiresAt: number }>();
  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("MemoryLock", operation);
  };

  return {
    async acquire(name, owner, ttlMs, now) {
      open("acquire");
      requireLockArguments("acquire", name, owner, ttlMs, now);
      const lease = leases.get(name);
      if (lease && lease.owner !== owner && lease.expiresAt > now) return false;
      leases.set(name, { owner, expiresAt: now + ttlMs });
      return true;
    },
    async renew(name, owner, ttlMs, now) {
      open("renew");
      requireLockArguments("renew", name, owner, ttlMs, now);
      const lease = leases.get(name);
      if (!lease || lease.owner !== owner || lease.expiresAt <= now) return false;
      lease.expiresAt = now + ttlMs;
      return true;
    },
    async release(name, owner) {
      open("release");
      if (leases.get(name)?.owner !== owner) return false;
      return leases.delete(name);
    },
    async holder(name, now) {
      open("holder");
      const lease = leases.get(name);
      return lease && lease.expiresAt > now ? { ...lease } : null;
    },
    async close() {
      closed = true;
    },
  };
}
