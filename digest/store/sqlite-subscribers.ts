/** The SQLite SubscriberStore: one row per chat in the `subscribers` table of a SqliteDb. */
import type { SubscribeResult, Subscriber, SubscriberStore } from "./ports.js";
import { requireCount, StoreClosedError } from "./errors.js";
import type { SqliteConnection, SqliteDb } from "./sqlite-db.js";

interface SubscriberRow {
  chat_id: number;
  lang: string | null;
  status: "active" | "paused";
  paused_reason: string | null;
  subscribed_at: number;
  cursor: number;
}

const COLUMNS = "chat_id, lang, status, paused_reason, subscribed_at, cursor";

const toSubscriber = (row: SubscriberRow): Subscriber => ({
  chatId: row.chat_id,
  lang: row.lang,
  status: row.status,
  pausedReason: row.paused_reason,
  subscribedAt: row.subscribed_at,
  cursor: row.cursor,
});

/**
 * Moves the cursor of `chatIds` to `cursor` where it is behind. Exported for the outbox, which runs
 * it inside its own transaction so that enqueueing a digest and advancing the cursors commit together.
 */
export function prepareCursorAdvance(c: SqliteConnection): (chatIds: readonly number[], cursor: number) => void {
  const advance = c.prepare("UPDATE subscribers SET cursor = ? WHERE chat_id = ? AND cursor < ?");
  return (chatIds, cursor) => {
    for (const chatId of chatIds) advance.run(cursor, chatId, cursor);
  };
}

/**
 * A SubscriberStore over `db`. `close()` only retires this store: the SqliteDb is shared with the
 * other adapters, so whoever opened it closes it.
 */
export function createSqliteSubscriberStore(db: SqliteDb): SubscriberStore {
  const c = db.connection;
  const selectOne = c.prepare<[number], SubscriberRow>(`SELECT ${COLUMNS} FROM subscribers WHERE chat_id = ?`);
  const insert = c.prepare(
    `INSERT INTO subscribers (chat_id, lang, status, paused_reason, subscribed_at, cursor)
     VALUES (@chatId, @lang, 'active', NULL, @now, @cursor)`,
  );
  const activate = c.prepare("UPDATE subscribers SET status = 'active', paused_reason = NULL WHERE chat_id = ?");
  const resumePaused = c.prepare(
    "UPDATE subscribers SET status = 'active', paused_reason = NULL WHERE chat_id = ? AND status = 'paused'",
  );
  const pauseOne = c.prepare("UPDATE subscribers SET status = 'paused', paused_reason = ? WHERE chat_id = ?");
  const deleteOne = c.prepare("DELETE FROM subscribers WHERE chat_id = ?");
  const updateLang = c.prepare("UPDATE subscribers SET lang = ? WHERE chat_id = ?");
  const selectAll = c.prepare<[number], SubscriberRow>(`SELECT ${COLUMNS} FROM subscribers ORDER BY chat_id LIMIT ?`);
  const selectAfter = c.prepare<[number, number], SubscriberRow>(
    `SELECT ${COLUMNS} FROM subscribers WHERE chat_id > ? ORDER BY chat_id LIMIT ?`,
  );
  const selectCounts = c.prepare<[], { status: "active" | "paused"; n: number }>(
    "SELECT status, COUNT(*) AS n FROM subscribers GROUP BY status",
  );
  const advanceCursors = c.transaction(prepareCursorAdvance(c));

  const subscribeInTransaction = c.transaction(
    (chatId: number, now: number, cursor: number, lang: string | null): SubscribeResult => {
      const existing = selectOne.get(chatId);
      if (existing === undefined) {
        insert.run({ chatId, lang, now, cursor });
        return "subscribed";
      }
      if (existing.status === "active") return "already";
      // Coming back keeps the cursor and the language the chat had.
      activate.run(chatId);
      return "resumed";
    },
  );

  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("SqliteSubscriberStore", operation);
  };

  return {
    async subscribe(chatId, { now, cursor, lang = null }) {
      open("subscribe");
      requireCount("subscribe", "cursor", cursor);
      // IMMEDIATE: the read and the write must not interleave with another process's subscribe.
      return subscribeInTransaction.immediate(chatId, now, cursor, lang);
    },
    async unsubscribe(chatId) {
      open("unsubscribe");
      return deleteOne.run(chatId).changes > 0;
    },
    async get(chatId) {
      open("get");
      const row = selectOne.get(chatId);
      return row === undefined ? undefined : toSubscriber(row);
    },
    async pause(chatId, reason) {
      open("pause");
      return pauseOne.run(reason, chatId).changes > 0;
    },
    async resume(chatId) {
      open("resume");
      return resumePaused.run(chatId).changes > 0;
    },
    async setLang(chatId, lang) {
      open("setLang");
      updateLang.run(lang, chatId);
    },
    async advanceCursor(chatIds, cursor) {
      open("advanceCursor");
      requireCount("advanceCursor", "cursor", cursor);
      advanceCursors.immediate(chatIds, cursor);
    },
    async page(afterChatId, limit) {
      open("page");
      requireCount("page", "limit", limit);
      const rows = afterChatId === null ? selectAll.all(limit) : selectAfter.all(afterChatId, limit);
      return rows.map(toSubscriber);
    },
    async counts() {
      open("counts");
      const counts = { active: 0, paused: 0 };
      for (const row of selectCounts.all()) counts[row.status] = row.n;
      return counts;
    },
    async close() {
      closed = true;
    },
  };
}
