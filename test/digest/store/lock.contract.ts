/**
 * The Lock contract: every adapter must pass this same suite. Call it from a test file with a
 * factory that returns a fresh lock store (no lock held) for each test.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Lock } from "../../../digest/store/lock.js";
import { StoreClosedError } from "../../../digest/store/errors.js";

const T0 = Date.UTC(2026, 0, 1, 8);
const TTL = 10_000;

export function runLockContract(adapter: string, makeLock: () => Promise<Lock> | Lock): void {
  describe(`Lock contract: ${adapter}`, () => {
    let lock: Lock;
    const fresh = async (): Promise<Lock> => (lock = await makeLock());
    afterEach(async () => {
      await lock.close();
    });

    it("is exclusive: while one owner holds it, another cannot take it", async () => {
      const l = await fresh();
      expect(await l.acquire("digest-tick", "host-a", TTL, T0)).toBe(true);
      expect(await l.acquire("digest-tick", "host-b", TTL, T0 + 1)).toBe(false);
      expect(await l.acquire("digest-tick", "host-b", TTL, T0 + TTL - 1)).toBe(false);
      expect(await l.holder("digest-tick", T0 + 1)).toEqual({ owner: "host-a", expiresAt: T0 + TTL });
      // Names are independent.
      expect(await l.acquire("fan-out", "host-b", TTL, T0 + 1)).toBe(true);
    });

    it("lets the holder acquire again, which extends its lease", async () => {
      const l = await fresh();
      await l.acquire("tick", "a", TTL, T0);
      expect(await l.acquire("tick", "a", TTL, T0 + 5000)).toBe(true);
      expect(await l.holder("tick", T0 + TTL + 1)).toEqual({ owner: "a", expiresAt: T0 + 5000 + TTL });
      expect(await l.acquire("tick", "b", TTL, T0 + TTL + 1)).toBe(false);
    });

    it("frees itself when the lease ends: another owner takes it, and the old holder can no longer renew or release", async () => {
      const l = await fresh();
      await l.acquire("tick", "crashed", TTL, T0);
      expect(await l.holder("tick", T0 + TTL)).toBeNull();
      expect(await l.acquire("tick", "b", TTL, T0 + TTL)).toBe(true);
      expect(await l.holder("tick", T0 + TTL)).toEqual({ owner: "b", expiresAt: T0 + 2 * TTL });
      expect(await l.renew("tick", "crashed", TTL, T0 + TTL + 1)).toBe(false);
      expect(await l.release("tick", "crashed")).toBe(false);
      expect(await l.holder("tick", T0 + TTL + 1)).toMatchObject({ owner: "b" });
    });

    it("renews only for the owner, only before the lease ends", async () => {
      const l = await fresh();
      expect(await l.renew("tick", "a", TTL, T0)).toBe(false);
      await l.acquire("tick", "a", TTL, T0);
      expect(await l.renew("tick", "b", TTL, T0 + 1)).toBe(false);
      expect(await l.renew("tick", "a", TTL, T0 + 9000)).toBe(true);
      expect(await l.holder("tick", T0 + 9000)).toEqual({ owner: "a", expiresAt: T0 + 9000 + TTL });
      // Renewed in time, so still held after the first lease would have ended.
      expect(await l.acquire("tick", "b", TTL, T0 + TTL + 1)).toBe(false);
      // A lease that ran out cannot be renewed, even if nobody took it (as with an expired Redis key).
      expect(await l.renew("tick", "a", TTL, T0 + 9000 + TTL)).toBe(false);
    });

    it("releases only for the owner", async () => {
      const l = await fresh();
      await l.acquire("tick", "a", TTL, T0);
      expect(await l.release("tick", "b")).toBe(false);
      expect(await l.acquire("tick", "b", TTL, T0 + 1)).toBe(false);
      expect(await l.release("tick", "a")).toBe(true);
      expect(await l.release("tick", "a")).toBe(false);
      expect(await l.holder("tick", T0 + 2)).toBeNull();
      expect(await l.acquire("tick", "b", TTL, T0 + 2)).toBe(true);
      expect(await l.release("never-held", "a")).toBe(false);
    });

    it("rejects a lease that could never be held", async () => {
      const l = await fresh();
      await expect(l.acquire("tick", "a", 0, T0)).rejects.toThrow(RangeError);
      await expect(l.acquire("tick", "a", -5, T0)).rejects.toThrow(RangeError);
      await expect(l.acquire("", "a", TTL, T0)).rejects.toThrow(RangeError);
      await expect(l.acquire("tick", "", TTL, T0)).rejects.toThrow(RangeError);
      expect(await l.holder("tick", T0)).toBeNull();
    });

    it("refuses use after close with StoreClosedError", async () => {
      const l = await fresh();
      await l.close();
      await expect(l.acquire("tick", "a", TTL, T0)).rejects.toThrow(StoreClosedError);
      await expect(l.release("tick", "a")).rejects.toThrow(StoreClosedError);
    });
  });
}
