/** SubscriberStore in memory: for tests and console mode; same contract as SQLite. */
import type { Subscriber, SubscriberStore } from "./ports.js";
import { requireCount, StoreClosedError } from "./errors.js";

export function createMemorySubscriberStore(): SubscriberStore {
  const rows = new Map<number, Subscriber>();
  const copy = (s: Subscriber | undefined) => (s ? { ...s } : undefined);
  let closed = false;
  // The same checks as the SQLite adapter, so code tested against memory fails the same way there.
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("MemorySubscriberStore", operation);
  };
  return {
    async subscribe(chatId, { now, cursor, lang = null }) {
      open("subscribe");
      requireCount("subscribe", "cursor", cursor);
      const existing = rows.get(chatId);
      if (existing?.status === "active") return "already";
      if (existing) {
        existing.status = "active";
        existing.pausedReason = null;
        return "resumed";
      }
      rows.set(chatId, { chatId, lang, status: "active", pausedReason: null, subscribedAt: now, cursor });
      return "subscribed";
    },
    async unsubscribe(chatId) {
      open("unsubscribe");
      return rows.delete(chatId);
    },
    async get(chatId) {
      open("get");
      return copy(rows.get(chatId));
    },
    async pause(chatId, reason) {
      open("pause");
      const row = rows.get(chatId);
      if (!row) return false;
      row.status = "paused";
      row.pausedReason = reason;
      return true;
    },
    async resume(chatId) {
      open("resume");
      const row = rows.get(chatId);
      if (row?.status !== "paused") return false;
      row.status = "active";
      row.pausedReason = null;
      return true;
    },
    async setLang(chatId, lang) {
      open("setLang");
      const row = rows.get(chatId);
      if (row) row.lang = lang;
    },
    async advanceCursor(chatIds, cursor) {
      open("advanceCursor");
      requireCount("advanceCursor", "cursor", cursor);
      for (const id of chatIds) {
        const row = rows.get(id);
        if (row && row.cursor < cursor) row.cursor = cursor;
      }
    },
    async page(afterChatId, limit) {
      open("page");
      // slice(0, -1) would quietly drop the last row instead of refusing the limit.
      requireCount("page", "limit", limit);
      return [...rows.values()]
        .filter((s) => afterChatId === null || s.chatId > afterChatId)
        .sort((a, b) => a.chatId - b.chatId)
        .slice(0, limit)
        .map((s) => ({ ...s }));
    },
    async counts() {
      open("counts");
      let active = 0;
      for (const s of rows.values()) if (s.status === "active") active += 1;
      return { active, paused: rows.size - active };
    },
    async close() {
      closed = true;
    },
  };
}
