/**
 * The Redis Outbox. Under the connection's prefix:
 *   outbox:next-id            the last item id handed out (ids follow enqueue order)
 *   outbox:item:<id>          hash: digestId, chatId, status, attempts, enqueuedAt, notBefore, and
 *                             worker, leaseUntil, lastError when set
 *   outbox:pairs:<digestId>   hash chatId → item id: what makes enqueue idempotent on (digest, chat)
 *   outbox:payload:<digestId> the payload JSON, written once per digest (SET NX)
 *   outbox:counts             hash status → items, kept by the scripts; outbox:counts:<digestId> the same per digest
 *   outbox:ready              sorted set of item ids scored by id: items whose time has come, oldest first
 *   outbox:waiting            sorted set of item ids scored by the instant they become due: a retried
 *                             item's notBefore, or a claimed item's lease end
 *
 * Finished items do not stay forever: Redis holds everything in memory (≈ 350 bytes per item, so
 * 100,000 subscribers add ≈ 35 MB a day). A sent or failed item's hash expires `retainMs` after it
 * finished, and a digest's pairs, payload and counts `retainMs` after its last enqueue, ack or fail
 * (Redis expiry, on the server's clock: housekeeping, not delivery logic). Until then a re-run
 * enqueue of the same digest stays a no-op; `stats()` keeps counting all items ever queued.
 *
 * Why sorted sets and not Streams with consumer groups: the Outbox port takes `now` from the caller
 * (digest/ code never reads the clock, and the contract drives leases with a logical clock), while a
 * consumer group measures a pending entry's idle time (XAUTOCLAIM min-idle-time, XPENDING IDLE) on
 * the Redis server's clock. Here a lease is a score compared with the caller's `now`, so claim,
 * ack, reclaim after a dead worker's lease and retry-at all follow the same clock as every other
 * adapter. (BullMQ keeps its delayed and active jobs the same way: sorted sets and Lua scripts.)
 *
 * Each operation is one Lua script: Redis runs a script as one command, so two instances claiming at
 * the same moment never get the same item, and enqueue + cursor advance happen together. A script
 * that raises an error halfway keeps its earlier writes (Redis has no rollback), so every argument is
 * checked here, before the script runs.
 */
import { StoreClosedError, StoredDataError } from "./errors.js";
import type { EnqueueResult, Outbox, OutboxCounts, OutboxDigest, OutboxItem, OutboxItemStatus } from "./outbox.js";
import { payloadJson, requireClaimArguments, requireDigestId } from "./outbox.js";
import { defineLuaScript } from "./redis-connection.js";
import type { RedisConnection } from "./redis-connection.js";
import { ADVANCE_CURSORS_LUA, requireChatId, subscriberKey } from "./redis-subscribers.js";

const ITEM_FIELDS = ["digestId", "chatId", "status", "attempts", "enqueuedAt", "notBefore", "worker", "leaseUntil", "lastError"];
const ITEM_FIELDS_LUA = ITEM_FIELDS.map((f) => `"${f}"`).join(", ");
type ItemRow = [string, ...Array<string | null>];

/** Moves one item of `digest` from status `from` to status `to` in both count hashes. */
const MOVE_COUNT_LUA = `
local function move_count(counts, countsPrefix, digest, from, to)
  redis.call("HINCRBY", counts, from, -1)
  redis.call("HINCRBY", counts, to, 1)
  redis.call("HINCRBY", countsPrefix .. digest, from, -1)
  redis.call("HINCRBY", countsPrefix .. digest, to, 1)
end
`;

/**
 * KEYS: next-id, counts, digest counts, pairs, payload, ready, then (enqueueDigest) the subscriber
 * hashes whose cursor moves. ARGV: item key prefix, digestId, payload JSON, now, cursor ("" for
 * none), retainMs, then the chat ids. Returns how many items it added.
 */
const ENQUEUE = defineLuaScript(
  "outbox.enqueue",
  `
local nextId, counts, digestCounts, pairsKey, payload, ready = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local itemPrefix, digestId, json, now, cursorText, retainMs = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
redis.call("SET", payload, json, "NX")
local id = tonumber(redis.call("GET", nextId) or "0")
local added = 0
local readyArgs = {}
for i = 7, #ARGV do
  local chat = ARGV[i]
  if redis.call("HEXISTS", pairsKey, chat) == 0 then
    id = id + 1
    local idText = string.format("%d", id)
    redis.call("HSET", pairsKey, chat, idText)
    redis.call("HSET", itemPrefix .. idText, "digestId", digestId, "chatId", chat, "status", "pending",
      "attempts", "0", "enqueuedAt", now, "notBefore", now)
    readyArgs[#readyArgs + 1] = idText
    readyArgs[#readyArgs + 1] = idText
    added = added + 1
    -- unpack() is limited by the Lua stack: flush in slices.
    if #readyArgs >= 2000 then
      redis.call("ZADD", ready, unpack(readyArgs))
      readyArgs = {}
    end
  end
end
if #readyArgs > 0 then redis.call("ZADD", ready, unpack(readyArgs)) end
if added > 0 then
  redis.call("SET", nextId, string.format("%d", id))
  redis.call("HINCRBY", counts, "pending", added)
  redis.call("HINCRBY", digestCounts, "pending", added)
end
for _, key in ipairs({ pairsKey, payload, digestCounts }) do redis.call("PEXPIRE", key, retainMs) end
if cursorText ~= "" then
  local keys, cursor, cursor_text = {}, tonumber(cursorText), cursorText
  for i = 7, #KEYS do keys[#keys + 1] = KEYS[i] end
  ${ADVANCE_CURSORS_LUA}
end
return added
`,
);

/**
 * KEYS: ready, waiting, counts. ARGV: item key prefix, digest counts prefix, worker, n, now, leaseUntil.
 * Returns the claimed items as [id, ...ITEM_FIELDS].
 */
const CLAIM = defineLuaScript(
  "outbox.claim",
  `
local ready, waiting, counts = KEYS[1], KEYS[2], KEYS[3]
local itemPrefix, countsPrefix, worker, n, nowText, leaseUntil = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local now = tonumber(nowText)
${MOVE_COUNT_LUA}
-- Items whose time has come (retry-at reached, lease ended) join the ready queue, in id order.
while true do
  local due = redis.call("ZRANGEBYSCORE", waiting, "-inf", nowText, "LIMIT", 0, 1000)
  if #due == 0 then break end
  local args = {}
  for _, id in ipairs(due) do
    args[#args + 1] = id
    args[#args + 1] = id
  end
  redis.call("ZADD", ready, unpack(args))
  redis.call("ZREM", waiting, unpack(due))
end
local taken = {}
while #taken < n do
  local batch = redis.call("ZRANGE", ready, 0, n - #taken - 1)
  if #batch == 0 then break end
  for _, id in ipairs(batch) do
    local key = itemPrefix .. id
    local item = redis.call("HMGET", key, "status", "notBefore", "leaseUntil", "digestId")
    redis.call("ZREM", ready, id)
    local dueAt = nil
    if item[1] == "pending" then dueAt = item[2] elseif item[1] == "claimed" then dueAt = item[3] end
    if dueAt and tonumber(dueAt) > now then
      -- Fresh items enter ready at enqueue, due at their enqueue time: a claim whose clock is
      -- earlier (a skewed instance, a test at T0 - 1) sends them back to wait.
      redis.call("ZADD", waiting, dueAt, id)
    elseif dueAt then
      if item[1] == "pending" then move_count(counts, countsPrefix, item[4], "pending", "claimed") end
      redis.call("HSET", key, "status", "claimed", "worker", worker, "leaseUntil", leaseUntil)
      redis.call("ZADD", waiting, leaseUntil, id)
      local row = redis.call("HMGET", key, ${ITEM_FIELDS_LUA})
      table.insert(row, 1, id)
      taken[#taken + 1] = row
    end
  end
end
return taken
`,
);

/**
 * Shared by ack and fail: a finished item expires after `retainMs`, and its digest's keys live on
 * for `retainMs` after this last activity. Expects pairsPrefix, payloadPrefix, countsPrefix, retainMs.
 */
const RETIRE_LUA = `
local function retire(key, digest)
  redis.call("PEXPIRE", key, retainMs)
  redis.call("PEXPIRE", pairsPrefix .. digest, retainMs)
  redis.call("PEXPIRE", payloadPrefix .. digest, retainMs)
  redis.call("PEXPIRE", countsPrefix .. digest, retainMs)
end
`;

/** Shared head of ack/retry/fail: `held(id)` is the item's digest id if `worker` holds it, else nil. */
const HELD_LUA = `
local function held(key, worker)
  local item = redis.call("HMGET", key, "status", "worker", "digestId")
  if item[1] == "claimed" and item[2] == worker then return item[3] end
  return nil
end
`;

/**
 * Renews the leases of items the worker still holds: the hash's leaseUntil and the item's score in
 * waiting (where a claimed item waits for its lease to end). KEYS: ready, waiting, counts.
 * ARGV: item key prefix, worker, leaseUntil, item ids...
 */
const EXTEND = defineLuaScript(
  "outbox.extend",
  `
local waiting = KEYS[2]
local itemPrefix, worker, leaseUntil = ARGV[1], ARGV[2], ARGV[3]
${HELD_LUA}
local extended = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local key = itemPrefix .. id
  if held(key, worker) then
    redis.call("HSET", key, "leaseUntil", leaseUntil)
    -- A claim moves due items to ready and sends those not yet due back here by their lease end.
    if redis.call("ZSCORE", KEYS[1], id) == false then redis.call("ZADD", waiting, leaseUntil, id) end
    extended = extended + 1
  end
end
return extended
`,
);

/**
 * KEYS: ready, waiting, counts. ARGV: item key prefix, digest counts prefix, pairs prefix, payload
 * prefix, retainMs, worker, item ids...
 */
const ACK = defineLuaScript(
  "outbox.ack",
  `
local ready, waiting, counts = KEYS[1], KEYS[2], KEYS[3]
local itemPrefix, countsPrefix, pairsPrefix, payloadPrefix, retainMs, worker = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
${MOVE_COUNT_LUA}
${HELD_LUA}
${RETIRE_LUA}
local acked = 0
for i = 7, #ARGV do
  local id = ARGV[i]
  local key = itemPrefix .. id
  local digest = held(key, worker)
  if digest then
    redis.call("HSET", key, "status", "sent")
    redis.call("HDEL", key, "leaseUntil")
    redis.call("ZREM", waiting, id)
    redis.call("ZREM", ready, id)
    move_count(counts, countsPrefix, digest, "claimed", "sent")
    retire(key, digest)
    acked = acked + 1
  end
end
return acked
`,
);

/** KEYS: ready, waiting, counts. ARGV: item key prefix, digest counts prefix, worker, item id, at, reason. */
const RETRY = defineLuaScript(
  "outbox.retry",
  `
local ready, waiting, counts = KEYS[1], KEYS[2], KEYS[3]
local itemPrefix, countsPrefix, worker, id, at, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
${MOVE_COUNT_LUA}
${HELD_LUA}
local key = itemPrefix .. id
local digest = held(key, worker)
if not digest then return 0 end
redis.call("HSET", key, "status", "pending", "notBefore", at, "lastError", reason)
redis.call("HINCRBY", key, "attempts", 1)
redis.call("HDEL", key, "leaseUntil")
redis.call("ZREM", ready, id)
redis.call("ZADD", waiting, at, id)
move_count(counts, countsPrefix, digest, "claimed", "pending")
return 1
`,
);

/**
 * KEYS: ready, waiting, counts. ARGV: item key prefix, digest counts prefix, pairs prefix, payload
 * prefix, retainMs, worker, item id, reason.
 */
const FAIL = defineLuaScript(
  "outbox.fail",
  `
local ready, waiting, counts = KEYS[1], KEYS[2], KEYS[3]
local itemPrefix, countsPrefix, pairsPrefix, payloadPrefix, retainMs, worker, id, reason =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
${MOVE_COUNT_LUA}
${HELD_LUA}
${RETIRE_LUA}
local key = itemPrefix .. id
local digest = held(key, worker)
if not digest then return 0 end
redis.call("HSET", key, "status", "failed", "lastError", reason)
redis.call("HDEL", key, "leaseUntil")
redis.call("ZREM", ready, id)
redis.call("ZREM", waiting, id)
move_count(counts, countsPrefix, digest, "claimed", "failed")
retire(key, digest)
return 1
`,
);

/**
 * Chats per enqueue script. Measured: 1000 chats with their cursors take 10-50 ms of server time on
 * a loaded 2-core machine, so other instances' commands wait at most that long behind a big fan-out.
 */
const CHATS_PER_SCRIPT = 1000;

const STATUSES: readonly OutboxItemStatus[] = ["pending", "claimed", "sent", "failed"];

function toItem(id: string, fields: Array<string | null>): OutboxItem {
  const [digestId, chatId, status, attempts, enqueuedAt, notBefore, worker, leaseUntil, lastError] = fields;
  if (
    digestId == null ||
    chatId == null ||
    !STATUSES.includes(status as OutboxItemStatus) ||
    attempts == null ||
    enqueuedAt == null ||
    notBefore == null
  ) {
    throw new StoredDataError("redis outbox item", id, "digestId/chatId/status/attempts/enqueuedAt/notBefore", {
      cause: new Error(`unexpected hash contents: ${JSON.stringify(fields)}`),
    });
  }
  return {
    id: Number(id),
    digestId,
    chatId: Number(chatId),
    status: status as OutboxItemStatus,
    attempts: Number(attempts),
    enqueuedAt: Number(enqueuedAt),
    notBefore: Number(notBefore),
    worker: worker ?? null,
    leaseUntil: leaseUntil == null ? null : Number(leaseUntil),
    lastError: lastError ?? null,
  };
}

function requireInstant(operation: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${operation}: ${name} must be an integer epoch ms, got ${String(value)}`);
}

export interface RedisOutboxOptions {
  /** How long finished items, and a digest's keys after its last activity, are kept (default 30 days). */
  retainMs?: number;
}

/**
 * An Outbox on `redis`. `enqueueDigest` advances the cursors of the Redis SubscriberStore on the same
 * connection and prefix (it writes their hashes in the enqueue's script). `close()` only retires
 * this adapter: the connection is shared, and whoever opened it closes it.
 */
export function createRedisOutbox(redis: RedisConnection, options: RedisOutboxOptions = {}): Outbox {
  const retainMs = options.retainMs ?? 30 * 24 * 3_600_000;
  if (!Number.isSafeInteger(retainMs) || retainMs <= 0)
    throw new RangeError(`createRedisOutbox: retainMs must be a positive integer, got ${String(retainMs)}`);
  const nextIdKey = redis.key("outbox", "next-id");
  const itemPrefix = redis.key("outbox", "item", "");
  const countsKey = redis.key("outbox", "counts");
  const countsPrefix = redis.key("outbox", "counts", "");
  const pairsPrefix = redis.key("outbox", "pairs", "");
  const payloadPrefix = redis.key("outbox", "payload", "");
  const retireArgs = [itemPrefix, countsPrefix, pairsPrefix, payloadPrefix, retainMs];
  const readyKey = redis.key("outbox", "ready");
  const waitingKey = redis.key("outbox", "waiting");
  const queueKeys = [readyKey, waitingKey, countsKey];

  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("RedisOutbox", operation);
  };

  async function enqueueWith(
    operation: string,
    digest: OutboxDigest,
    chatIds: readonly number[],
    cursor: number | null,
    now: number,
  ): Promise<EnqueueResult> {
    requireDigestId(operation, digest.id);
    requireInstant(operation, "now", now);
    const json = payloadJson(digest);
    const chats = chatIds.map((chatId) => requireChatId(operation, chatId));
    const keys = [
      nextIdKey,
      countsKey,
      countsPrefix + digest.id,
      pairsPrefix + digest.id,
      payloadPrefix + digest.id,
      readyKey,
    ];
    let added = 0;
    // One script per slice: a script blocks every other client of Redis while it runs, and a slice is
    // still all-or-nothing for its chats (their items and their cursors move together), which is what
    // a re-run after a crash needs: a chat whose cursor did not move was not queued either.
    for (let start = 0; start === 0 || start < chats.length; start += CHATS_PER_SCRIPT) {
      const slice = chatIds.slice(start, start + CHATS_PER_SCRIPT);
      const sliceKeys = cursor === null ? keys : [...keys, ...slice.map((chatId) => subscriberKey(redis, chatId))];
      const args = [itemPrefix, digest.id, json, now, cursor ?? "", retainMs, ...chats.slice(start, start + CHATS_PER_SCRIPT)];
      added += (await redis.run(ENQUEUE, sliceKeys, args)) as number;
    }
    return { added, already: chatIds.length - added };
  }

  const counts = async (key: string): Promise<OutboxCounts> => {
    const values = await redis.client.hmGet(key, [...STATUSES]);
    const [pending, claimed, sent, failed] = values.map((v) => Number(v ?? 0));
    return { pending: pending!, claimed: claimed!, sent: sent!, failed: failed! };
  };

  return {
    async enqueue(digest, chatIds, now) {
      open("enqueue");
      return enqueueWith("enqueue", digest, chatIds, null, now);
    },
    async enqueueDigest(digest, chatIds, cursor, now) {
      open("enqueueDigest");
      if (!Number.isSafeInteger(cursor) || cursor < 0)
        throw new RangeError(`enqueueDigest: cursor must be a non-negative integer, got ${String(cursor)}`);
      return enqueueWith("enqueueDigest", digest, chatIds, cursor, now);
    },
    async claim(worker, n, leaseMs, now) {
      open("claim");
      requireClaimArguments(worker, n, leaseMs, now);
      if (n === 0) return [];
      const rows = (await redis.run(CLAIM, queueKeys, [itemPrefix, countsPrefix, worker, n, now, now + leaseMs])) as ItemRow[];
      return rows.map(([id, ...fields]) => toItem(id, fields));
    },
    async ack(itemIds, worker) {
      open("ack");
      if (itemIds.length === 0) return 0;
      return (await redis.run(ACK, queueKeys, [...retireArgs, worker, ...itemIds])) as number;
    },
    async extend(itemIds, worker, leaseUntil) {
      open("extend");
      requireInstant("extend", "leaseUntil", leaseUntil);
      if (itemIds.length === 0) return 0;
      return (await redis.run(EXTEND, queueKeys, [itemPrefix, worker, leaseUntil, ...new Set(itemIds)])) as number;
    },
    async retry(itemId, worker, at, reason) {
      open("retry");
      requireInstant("retry", "at", at);
      return (await redis.run(RETRY, queueKeys, [itemPrefix, countsPrefix, worker, itemId, at, reason])) === 1;
    },
    async fail(itemId, worker, reason) {
      open("fail");
      return (await redis.run(FAIL, queueKeys, [...retireArgs, worker, itemId, reason])) === 1;
    },
    async stats() {
      open("stats");
      return counts(countsKey);
    },
    async digestStats(digestId) {
      open("digestStats");
      return counts(countsPrefix + digestId);
    },
    async digestPayload(digestId) {
      open("digestPayload");
      const json = await redis.client.get(payloadPrefix + digestId);
      if (json === null) return undefined;
      try {
        return JSON.parse(json) as unknown;
      } catch (error) {
        throw new StoredDataError("redis outbox payload", digestId, "payload", { cause: error });
      }
    },
    async item(itemId) {
      open("item");
      const id = String(itemId);
      const fields = await redis.client.hmGet(itemPrefix + id, ITEM_FIELDS);
      return fields[0] === null ? undefined : toItem(id, fields);
    },
    async close() {
      closed = true;
    },
  };
}
