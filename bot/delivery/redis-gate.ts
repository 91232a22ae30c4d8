/**
 * The send budget's share of Redis (issue 6): several bot instances on one REDIS_URL together send
 * at most DELIVERY_RATE bulk messages per second, keep one chat's pace whichever instance sends to
 * it, and all stop when any of them gets a 429.
 *
 * One Lua script decides each bulk send atomically: a pause-until key (set on 429), a key holding
 * the next free global slot (advanced by 1000/rate ms per send), and a next-slot key per chat with
 * a PX expiry so idle chats leave nothing behind. Times come from the callers' clocks (`now`), so
 * the instances' clocks must agree (NTP) to within a fraction of a slot.
 */
import { defineLuaScript, type RedisConnection } from "../../digest/store/redis-connection.js";

export type ChatKind = "private" | "group";

/** Why a reservation must wait: the whole bot is paused (429), the global rate, or this chat's pace. */
export type GateBlock = "pause" | "rate" | "chat";

export type GateAnswer = { waitMs: 0; blockedBy: null } | { waitMs: number; blockedBy: GateBlock };

/** What SendBudget asks before each bulk send when several instances share the limit. */
export interface SharedSendGate {
  /**
   * Takes a global slot and the chat's slot at `now` when both are free (waitMs 0: send now), or
   * says how long to wait and why, taking nothing. `chat` undefined skips the per-chat check.
   */
  reserve(chat: number | string | undefined, kind: ChatKind, now: number): Promise<GateAnswer>;
  /**
   * Counts a send that did not wait for the gate (a command reply, which goes first) against the
   * shared rate: the next bulk slot on every instance moves one spacing later.
   */
  noteUngated(now: number): Promise<void>;
  /** Pauses every instance's bulk sends until `untilMs` (never shortens a longer pause). */
  pauseAll(untilMs: number, now: number): Promise<void>;
  /** When the shared pause ends, or 0 when there is none at `now`. */
  pausedUntil(now: number): Promise<number>;
}

export interface RedisSendGateOptions {
  /** Bulk sends per second over all instances (DELIVERY_RATE). */
  rate: number;
  /** Minimum gap between two sends to one private chat, across instances (default 1000). */
  privateChatIntervalMs?: number;
  /** Minimum gap between two sends to one group or channel, across instances (default 3000). */
  groupChatIntervalMs?: number;
  /**
   * How much later than its slot a send may reach Telegram (default 100 ms). Telegram counts a
   * message when it arrives, and a send leaves its instance some milliseconds after the slot was
   * granted (event loop, GC pause, network): with slots exactly 1000/rate apart, a second at
   * Telegram could catch a few more than `rate` (measured: 53 at rate 50 with two instances on two
   * busy cores). Slots (1000 + margin)/rate ms apart keep every 1-second window at arrival within
   * `rate` as long as sends are delayed by less than the margin, at the cost of rate·margin/1000 per
   * second of throughput (the local budget pays one round trip per slot for the same reason).
   */
  arrivalMarginMs?: number;
}

/** The gate's Redis script answered something it never returns: a key holds data of another shape. */
export class SendGateReplyError extends Error {
  override name = "SendGateReplyError";
  constructor(readonly reply: unknown) {
    super(`send gate: unexpected reply from Redis script send-gate-reserve: ${JSON.stringify(reply)}`);
  }
}

// Times are kept in whole microseconds: 1000/30 ms is not a whole number of milliseconds, and Lua's
// tostring would print a fractional epoch in exponent form and lose digits; '%.0f' keeps them all.
const RESERVE = defineLuaScript(
  "send-gate-reserve",
  `
local nowUs = tonumber(ARGV[1])
local spacingUs = tonumber(ARGV[2])
local chatIntervalUs = tonumber(ARGV[3])
local pausedUntilUs = tonumber(redis.call('GET', KEYS[3]) or '0')
if pausedUntilUs > nowUs then return {math.ceil((pausedUntilUs - nowUs) / 1000), 'pause'} end
local nextSlotUs = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextSlotUs > nowUs then return {math.ceil((nextSlotUs - nowUs) / 1000), 'rate'} end
if chatIntervalUs > 0 then
  local chatNextUs = tonumber(redis.call('GET', KEYS[2]) or '0')
  if chatNextUs > nowUs then return {math.ceil((chatNextUs - nowUs) / 1000), 'chat'} end
  redis.call('SET', KEYS[2], string.format('%.0f', nowUs + chatIntervalUs), 'PX', math.ceil(chatIntervalUs / 1000))
end
-- One full spacing after this send, never less: the instances ask at scattered moments, and
-- making up a late caller's lateness would let two sends land closer than a slot.
local newNextUs = nowUs + spacingUs
redis.call('SET', KEYS[1], string.format('%.0f', newNextUs), 'PX', math.ceil(spacingUs / 1000) + 1000)
return {0, 'go'}
`,
);

const NOTE_UNGATED = defineLuaScript(
  "send-gate-note-ungated",
  `
local nowUs = tonumber(ARGV[1])
local spacingUs = tonumber(ARGV[2])
local nextSlotUs = tonumber(redis.call('GET', KEYS[1]) or '0')
local newNextUs = math.max(nextSlotUs, nowUs) + spacingUs
redis.call('SET', KEYS[1], string.format('%.0f', newNextUs), 'PX', math.ceil((newNextUs - nowUs) / 1000) + 1000)
return 1
`,
);

const PAUSE = defineLuaScript(
  "send-gate-pause",
  `
local untilUs = tonumber(ARGV[1])
local nowUs = tonumber(ARGV[2])
local currentUs = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilUs > currentUs and untilUs > nowUs then
  redis.call('SET', KEYS[1], string.format('%.0f', untilUs), 'PX', math.ceil((untilUs - nowUs) / 1000))
end
return 1
`,
);

const BLOCKS = new Set<string>(["pause", "rate", "chat"]);

export function createRedisSendGate(connection: RedisConnection, options: RedisSendGateOptions): SharedSendGate {
  if (!(options.rate > 0)) throw new RangeError(`createRedisSendGate: rate must be positive, got ${String(options.rate)}`);
  const arrivalMarginMs = options.arrivalMarginMs ?? 100;
  if (!(arrivalMarginMs >= 0)) throw new RangeError(`createRedisSendGate: arrivalMarginMs must be 0 or more, got ${String(arrivalMarginMs)}`);
  // Rounded up: a slot a microsecond short of the spacing would let rate + 1 arrive within a window.
  const spacingUs = Math.ceil(((1000 + arrivalMarginMs) * 1000) / options.rate);
  const privateUs = Math.round((options.privateChatIntervalMs ?? 1000) * 1000);
  const groupUs = Math.round((options.groupChatIntervalMs ?? 3000) * 1000);
  const slotKey = connection.key("send-gate", "next-slot");
  const pauseKey = connection.key("send-gate", "paused-until");
  const toUs = (ms: number): number => Math.round(ms * 1000);

  return {
    async reserve(chat, kind, now) {
      const chatKey = connection.key("send-gate", "chat", chat === undefined ? "-" : String(chat));
      const intervalUs = chat === undefined ? 0 : kind === "private" ? privateUs : groupUs;
      const reply = await connection.run(RESERVE, [slotKey, chatKey, pauseKey], [toUs(now), spacingUs, intervalUs]);
      if (!Array.isArray(reply) || reply.length !== 2) throw new SendGateReplyError(reply);
      const [waitMs, verdict] = reply as [unknown, unknown];
      if (typeof waitMs !== "number" || typeof verdict !== "string") throw new SendGateReplyError(reply);
      if (verdict === "go") return { waitMs: 0, blockedBy: null };
      if (!BLOCKS.has(verdict)) throw new SendGateReplyError(reply);
      // A wait rounded up to 0 ms still means "not yet": ask again after 1 ms.
      return { waitMs: Math.max(1, waitMs), blockedBy: verdict as GateBlock };
    },
    async noteUngated(now) {
      await connection.run(NOTE_UNGATED, [slotKey], [toUs(now), spacingUs]);
    },
    async pauseAll(untilMs, now) {
      await connection.run(PAUSE, [pauseKey], [toUs(untilMs), toUs(now)]);
    },
    async pausedUntil(now) {
      const value = await connection.client.get(pauseKey);
      const untilMs = value === null ? 0 : Number(value) / 1000;
      return untilMs > now ? untilMs : 0;
    },
  };
}
