/**
 * The Redis SubscriberStore. Under the connection's prefix:
 *   subscriber:<chatId>   hash: status, subscribedAt, cursor, lang and pausedReason (absent for null)
 *   subscribers           sorted set: chatId scored by chatId, for page() (Telegram ids fit in 52 bits,
 *                         so a score, a double, holds them exactly)
 *   subscribers:paused    set of paused chatIds, so counts() is two O(1) reads
 * Chat ids travel as decimal strings: Lua's tostring() would print a 16-digit id in exponent form.
 */
import type { SubscribeResult, Subscriber, SubscriberStore } from "./ports.js";
import { requireCount, StoreClosedError, StoredDataError } from "./errors.js";
import { defineLuaScript } from "./redis-connection.js";
import type { RedisConnection } from "./redis-connection.js";

/** Subscribers whose cursor one script moves. */
const CURSORS_PER_SCRIPT = 1000;

/** The hash fields of a subscriber, in the order the scripts read them. */
const FIELDS = ["status", "lang", "pausedReason", "subscribedAt", "cursor"] as const;
type SubscriberFields = [string | null, string | null, string | null, string | null, string | null];

/**
 * The Lua that moves cursors forward only, shared with the Redis outbox, which runs it in the same
 * script as the enqueue (so both happen or neither). Expects `cursor` (a number) and `keys` (the
 * subscriber hashes) in scope; a chat that is not subscribed is skipped, never created.
 */
export const ADVANCE_CURSORS_LUA = `
for _, key in ipairs(keys) do
  local current = redis.call("HGET", key, "cursor")
  if current and tonumber(current) < cursor then redis.call("HSET", key, "cursor", cursor_text) end
end
`;

/** The key of one subscriber's hash; exported for the outbox's cursor advance. */
export function subscriberKey(redis: RedisConnection, chatId: number): string {
  return redis.key("subscriber", String(chatId));
}

/** Refuses what String() would turn into a key no page() could find (1.5, NaN, 1e21). */
export function requireChatId(operation: string, chatId: number): string {
  if (!Number.isSafeInteger(chatId)) throw new RangeError(`${operation}: chat id must be an integer, got ${String(chatId)}`);
  return String(chatId);
}

/** KEYS: hash, index, paused set. ARGV: chatId, now, cursor, "1"/"0" has lang, lang. */
const SUBSCRIBE = defineLuaScript(
  "subscribers.subscribe",
  `
local key, index, paused = KEYS[1], KEYS[2], KEYS[3]
local status = redis.call("HGET", key, "status")
if not status then
  redis.call("HSET", key, "status", "active", "subscribedAt", ARGV[2], "cursor", ARGV[3])
  if ARGV[4] == "1" then redis.call("HSET", key, "lang", ARGV[5]) end
  redis.call("ZADD", index, ARGV[1], ARGV[1])
  return "subscribed"
end
if status == "active" then return "already" end
-- Coming back keeps the cursor and the language the chat had.
redis.call("HSET", key, "status", "active")
redis.call("HDEL", key, "pausedReason")
redis.call("SREM", paused, ARGV[1])
return "resumed"
`,
);

/** KEYS: hash, index, paused set. ARGV: chatId. */
const UNSUBSCRIBE = defineLuaScript(
  "subscribers.unsubscribe",
  `
redis.call("ZREM", KEYS[2], ARGV[1])
redis.call("SREM", KEYS[3], ARGV[1])
return redis.call("DEL", KEYS[1])
`,
);

/** KEYS: hash, paused set. ARGV: chatId, reason. */
const PAUSE = defineLuaScript(
  "subscribers.pause",
  `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
redis.call("HSET", KEYS[1], "status", "paused", "pausedReason", ARGV[2])
redis.call("SADD", KEYS[2], ARGV[1])
return 1
`,
);

/** KEYS: hash, paused set. ARGV: chatId. */
const RESUME = defineLuaScript(
  "subscribers.resume",
  `
if redis.call("HGET", KEYS[1], "status") ~= "paused" then return 0 end
redis.call("HSET", KEYS[1], "status", "active")
redis.call("HDEL", KEYS[1], "pausedReason")
redis.call("SREM", KEYS[2], ARGV[1])
return 1
`,
);

/** KEYS: hash. ARGV: "1"/"0" has lang, lang. Leaves a chat that is not subscribed alone. */
const SET_LANG = defineLuaScript(
  "subscribers.setLang",
  `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
if ARGV[1] == "1" then redis.call("HSET", KEYS[1], "lang", ARGV[2]) else redis.call("HDEL", KEYS[1], "lang") end
return 1
`,
);

/** KEYS: the subscriber hashes. ARGV: cursor. */
const ADVANCE_CURSORS = defineLuaScript(
  "subscribers.advanceCursor",
  `
local keys, cursor, cursor_text = KEYS, tonumber(ARGV[1]), ARGV[1]
${ADVANCE_CURSORS_LUA}
return 0
`,
);

/**
 * Picks the page and reads its rows in one step. KEYS: index. ARGV: subscriber key prefix, lower
 * bound ("-inf" or "(<chatId>"), limit. Returns [chatId, ...FIELDS] per subscriber.
 */
const PAGE = defineLuaScript(
  "subscribers.page",
  `
local ids = redis.call("ZRANGEBYSCORE", KEYS[1], ARGV[2], "+inf", "LIMIT", 0, ARGV[3])
local rows = {}
for i, id in ipairs(ids) do
  local row = redis.call("HMGET", ARGV[1] .. id, "status", "lang", "pausedReason", "subscribedAt", "cursor")
  table.insert(row, 1, id)
  rows[i] = row
end
return rows
`,
);

function toSubscriber(chatId: string, fields: SubscriberFields): Subscriber {
  const [status, lang, pausedReason, subscribedAt, cursor] = fields;
  if ((status !== "active" && status !== "paused") || subscribedAt === null || cursor === null) {
    throw new StoredDataError("redis subscriber", chatId, "status/subscribedAt/cursor", {
      cause: new Error(`unexpected hash contents: ${JSON.stringify(fields)}`),
    });
  }
  return {
    chatId: Number(chatId),
    lang,
    status,
    pausedReason,
    subscribedAt: Number(subscribedAt),
    cursor: Number(cursor),
  };
}

/** `close()` only retires this store: the connection is shared, and whoever opened it closes it. */
export function createRedisSubscriberStore(redis: RedisConnection): SubscriberStore {
  const index = redis.key("subscribers");
  const paused = redis.key("subscribers", "paused");
  // Only subscribe checks the id: no other call can create a key, and a non-integer id, which cannot
  // have been subscribed, reads as "not subscribed" as it does in the other adapters.
  const hashOf = (chatId: number): string => subscriberKey(redis, chatId);

  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("RedisSubscriberStore", operation);
  };

  return {
    async subscribe(chatId, { now, cursor, lang = null }) {
      open("subscribe");
      requireCount("subscribe", "cursor", cursor);
      requireChatId("subscribe", chatId);
      const key = hashOf(chatId);
      const args = [String(chatId), now, cursor, lang === null ? "0" : "1", lang ?? ""];
      return (await redis.run(SUBSCRIBE, [key, index, paused], args)) as SubscribeResult;
    },
    async unsubscribe(chatId) {
      open("unsubscribe");
      return (await redis.run(UNSUBSCRIBE, [hashOf(chatId), index, paused], [String(chatId)])) === 1;
    },
    async get(chatId) {
      open("get");
      const fields = (await redis.client.hmGet(hashOf(chatId), [...FIELDS])) as SubscriberFields;
      return fields[0] === null ? undefined : toSubscriber(String(chatId), fields);
    },
    async pause(chatId, reason) {
      open("pause");
      return (await redis.run(PAUSE, [hashOf(chatId), paused], [String(chatId), reason])) === 1;
    },
    async resume(chatId) {
      open("resume");
      return (await redis.run(RESUME, [hashOf(chatId), paused], [String(chatId)])) === 1;
    },
    async setLang(chatId, lang) {
      open("setLang");
      await redis.run(SET_LANG, [hashOf(chatId)], [lang === null ? "0" : "1", lang ?? ""]);
    },
    async advanceCursor(chatIds, cursor) {
      open("advanceCursor");
      requireCount("advanceCursor", "cursor", cursor);
      // In slices, so one long list does not hold up other instances' commands; each chat's cursor
      // only moves forward, so a failure between slices leaves nothing to undo.
      for (let start = 0; start < chatIds.length; start += CURSORS_PER_SCRIPT) {
        const keys = chatIds.slice(start, start + CURSORS_PER_SCRIPT).map(hashOf);
        await redis.run(ADVANCE_CURSORS, keys, [cursor]);
      }
    },
    async page(afterChatId, limit) {
      open("page");
      requireCount("page", "limit", limit);
      if (limit === 0) return [];
      if (afterChatId !== null && !Number.isFinite(afterChatId))
        throw new RangeError(`page: afterChatId must be a number or null, got ${String(afterChatId)}`);
      const from = afterChatId === null ? "-inf" : `(${String(afterChatId)}`;
      const rows = (await redis.run(PAGE, [index], [redis.key("subscriber", ""), from, limit])) as Array<
        [string, ...SubscriberFields]
      >;
      return rows.map(([chatId, ...fields]) => toSubscriber(chatId, fields));
    },
    async counts() {
      open("counts");
      // MULTI: both numbers from the same instant, so active + paused is the number of subscribers.
      const [total, pausedCount] = (await redis.client.multi().zCard(index).sCard(paused).exec()) as unknown as [
        number,
        number,
      ];
      return { active: total - pausedCount, paused: pausedCount };
    },
    async close() {
      closed = true;
    },
  };
}
