/**
 * The SubscriberStore contract: every adapter must pass this same suite. Call it from a test file
 * with a factory that returns a fresh, empty store for each test.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SubscriberStore } from "../../../digest/store/ports.js";
import { StoreClosedError } from "../../../digest/store/errors.js";

const T0 = Date.UTC(2026, 0, 1);
// Telegram ids: a private chat (positive), a basic group (negative), a supergroup (-100…, 13 digits).
const PRIVATE = 123_456_789;
const GROUP = -4_000_123;
const SUPERGROUP = -1_001_234_567_890;

export function runSubscriberStoreContract(
  adapter: string,
  makeStore: () => Promise<SubscriberStore> | SubscriberStore,
): void {
  describe(`SubscriberStore contract: ${adapter}`, () => {
    let store: SubscriberStore;
    const fresh = async (): Promise<SubscriberStore> => (store = await makeStore());
    afterEach(async () => {
      await store.close();
    });

    it("subscribes a new chat at the given cursor, then says already, and unsubscribing deletes it", async () => {
      const s = await fresh();
      expect(await s.subscribe(PRIVATE, { now: T0, cursor: 7, lang: "zh" })).toBe("subscribed");
      expect(await s.get(PRIVATE)).toEqual({
        chatId: PRIVATE,
        lang: "zh",
        status: "active",
        pausedReason: null,
        subscribedAt: T0,
        cursor: 7,
      });
      expect(await s.subscribe(PRIVATE, { now: T0 + 1000, cursor: 99, lang: "en" })).toBe("already");
      // "already" changes nothing: not the cursor, not the language, not the subscription time.
      expect(await s.get(PRIVATE)).toMatchObject({ lang: "zh", cursor: 7, subscribedAt: T0 });

      expect(await s.unsubscribe(PRIVATE)).toBe(true);
      expect(await s.get(PRIVATE)).toBeUndefined();
      expect(await s.unsubscribe(PRIVATE)).toBe(false);
      // Subscribing again after unsubscribing is a fresh start at the new cursor.
      expect(await s.subscribe(PRIVATE, { now: T0 + 2000, cursor: 12 })).toBe("subscribed");
      expect(await s.get(PRIVATE)).toMatchObject({ lang: null, cursor: 12, subscribedAt: T0 + 2000 });
    });

    it("keeps negative group and 13-digit supergroup ids exactly", async () => {
      const s = await fresh();
      await s.subscribe(GROUP, { now: T0, cursor: 0 });
      await s.subscribe(SUPERGROUP, { now: T0, cursor: 0 });
      expect((await s.get(GROUP))?.chatId).toBe(GROUP);
      expect((await s.get(SUPERGROUP))?.chatId).toBe(SUPERGROUP);
    });

    it("pauses with a reason and resumes keeping cursor and language", async () => {
      const s = await fresh();
      await s.subscribe(PRIVATE, { now: T0, cursor: 3, lang: "en" });
      await s.advanceCursor([PRIVATE], 10);
      expect(await s.pause(PRIVATE, "blocked")).toBe(true);
      expect(await s.get(PRIVATE)).toMatchObject({ status: "paused", pausedReason: "blocked", cursor: 10, lang: "en" });
      expect(await s.counts()).toEqual({ active: 0, paused: 1 });

      expect(await s.resume(PRIVATE)).toBe(true);
      expect(await s.get(PRIVATE)).toEqual({
        chatId: PRIVATE,
        lang: "en",
        status: "active",
        pausedReason: null,
        subscribedAt: T0,
        cursor: 10,
      });
    });

    it("resumes only a paused subscriber", async () => {
      const s = await fresh();
      expect(await s.resume(PRIVATE)).toBe(false);
      await s.subscribe(PRIVATE, { now: T0, cursor: 0 });
      expect(await s.resume(PRIVATE)).toBe(false);
      await s.pause(PRIVATE, "chat not found");
      expect(await s.resume(PRIVATE)).toBe(true);
      expect(await s.resume(PRIVATE)).toBe(false);
      expect(await s.pause(GROUP, "blocked")).toBe(false);
    });

    it("treats /subscribe from a paused chat as a resume that keeps the cursor", async () => {
      const s = await fresh();
      await s.subscribe(PRIVATE, { now: T0, cursor: 5, lang: "zh" });
      await s.pause(PRIVATE, "blocked");
      expect(await s.subscribe(PRIVATE, { now: T0 + 5000, cursor: 50, lang: "en" })).toBe("resumed");
      expect(await s.get(PRIVATE)).toMatchObject({ status: "active", pausedReason: null, cursor: 5, lang: "zh", subscribedAt: T0 });
    });

    it("sets the language, and ignores a chat that is not subscribed", async () => {
      const s = await fresh();
      await s.subscribe(PRIVATE, { now: T0, cursor: 0, lang: "zh" });
      await s.setLang(PRIVATE, "en");
      expect((await s.get(PRIVATE))?.lang).toBe("en");
      await s.setLang(PRIVATE, null);
      expect((await s.get(PRIVATE))?.lang).toBeNull();
      await s.setLang(GROUP, "en");
      expect(await s.get(GROUP)).toBeUndefined();
    });

    it("advances cursors forward only, for the listed chats only", async () => {
      const s = await fresh();
      await s.subscribe(1, { now: T0, cursor: 5 });
      await s.subscribe(2, { now: T0, cursor: 20 });
      await s.subscribe(3, { now: T0, cursor: 5 });
      await s.advanceCursor([1, 2, 404], 10);
      expect((await s.get(1))?.cursor).toBe(10);
      expect((await s.get(2))?.cursor).toBe(20);
      expect((await s.get(3))?.cursor).toBe(5);
      await s.advanceCursor([1], 8);
      expect((await s.get(1))?.cursor).toBe(10);
      expect(await s.get(404)).toBeUndefined();
      await s.advanceCursor([], 100);
      expect((await s.get(1))?.cursor).toBe(10);
    });

    it("advances a paused chat's cursor too (it is the caller who picks the chats)", async () => {
      const s = await fresh();
      await s.subscribe(1, { now: T0, cursor: 0 });
      await s.pause(1, "blocked");
      await s.advanceCursor([1], 4);
      expect((await s.get(1))?.cursor).toBe(4);
    });

    it("pages through every subscriber by ascending chat id, respecting the limit", async () => {
      const s = await fresh();
      const ids = [SUPERGROUP, 42, GROUP, 7, PRIVATE, -1, 1000];
      for (const [i, id] of ids.entries()) await s.subscribe(id, { now: T0 + i, cursor: i });
      await s.pause(42, "blocked");
      const sorted = [...ids].sort((a, b) => a - b);

      const first = await s.page(null, 3);
      expect(first.map((x) => x.chatId)).toEqual(sorted.slice(0, 3));
      const walked: number[] = [];
      let after: number | null = null;
      for (;;) {
        const page = await s.page(after, 2);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(2);
        walked.push(...page.map((x) => x.chatId));
        after = page[page.length - 1]!.chatId;
      }
      expect(walked).toEqual(sorted);
      const all = await s.page(null, 100);
      expect(all.find((x) => x.chatId === 42)).toMatchObject({ status: "paused", pausedReason: "blocked", cursor: 1 });
      expect(all.find((x) => x.chatId === PRIVATE)).toMatchObject({ status: "active", cursor: 4, subscribedAt: T0 + 4 });
      expect(await s.page(null, 0)).toEqual([]);
      expect(await s.page(Math.max(...ids), 10)).toEqual([]);
    });

    it("counts active and paused subscribers", async () => {
      const s = await fresh();
      expect(await s.counts()).toEqual({ active: 0, paused: 0 });
      for (let id = 1; id <= 6; id++) await s.subscribe(id, { now: T0, cursor: 0 });
      await s.pause(2, "blocked");
      await s.pause(4, "user is deactivated");
      await s.unsubscribe(6);
      expect(await s.counts()).toEqual({ active: 3, paused: 2 });
    });

    it("hands out copies: changing a returned subscriber does not change the store", async () => {
      const s = await fresh();
      await s.subscribe(1, { now: T0, cursor: 3 });
      const got = (await s.get(1))!;
      got.cursor = 999;
      got.status = "paused";
      (await s.page(null, 10))[0]!.cursor = 777;
      expect(await s.get(1)).toMatchObject({ cursor: 3, status: "active" });
    });

    it("rejects a negative or fractional page limit and cursor", async () => {
      const s = await fresh();
      await expect(s.page(null, -1)).rejects.toThrow(RangeError);
      await expect(s.page(null, 1.5)).rejects.toThrow(RangeError);
      await expect(s.subscribe(1, { now: T0, cursor: -1 })).rejects.toThrow(RangeError);
      await expect(s.advanceCursor([1], 2.5)).rejects.toThrow(RangeError);
    });

    it("refuses use after close with StoreClosedError", async () => {
      const s = await fresh();
      await s.subscribe(1, { now: T0, cursor: 0 });
      await s.close();
      await expect(s.get(1)).rejects.toThrow(StoreClosedError);
      await expect(s.subscribe(2, { now: T0, cursor: 0 })).rejects.toThrow(StoreClosedError);
      await expect(s.page(null, 10)).rejects.toThrow(StoreClosedError);
    });
  });
}
