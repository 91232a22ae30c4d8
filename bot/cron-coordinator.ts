/**
 * node-cron's run coordinator on the shared Lock (issue 6, DESIGN §6): every instance's cron task
 * fires, and the first to claim a slot runs it. The claim is a lease named after node-cron's slot
 * key ("digest:<the tick's ISO time>", the same on every instance), so the instances' clocks only
 * need to agree to within the lease, not to the millisecond.
 *
 * The claim is not released when the run ends: an instance whose clock lags would otherwise find
 * the slot free after the winner finished and run it a second time. It expires on its own (Redis
 * PEXPIRE), leaving nothing behind.
 */
import type { DigestScheduleOptions, Lock } from "../digest/index.js";

export type ScheduleCoordinator = NonNullable<DigestScheduleOptions<unknown>["coordinator"]>;

export interface LockCoordinatorOptions {
  lock: Lock;
  /** This instance, distinct from every other (host and pid). */
  owner: string;
  now?: () => number;
}

/** Lock names of slot claims start with this, apart from the digest job's own lock. */
export const SLOT_CLAIM_PREFIX = "cron-slot:";

export function lockRunCoordinator(options: LockCoordinatorOptions): ScheduleCoordinator {
  const now = options.now ?? Date.now;
  return {
    shouldRun: (key, ttlMs) => options.lock.acquire(`${SLOT_CLAIM_PREFIX}${key}`, options.owner, Math.max(1, Math.round(ttlMs)), now()),
  };
}
