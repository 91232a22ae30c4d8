/**
 * The delivery worker (issue 5, DESIGN §7): drains the outbox through a grammY `Api` within
 * Telegram's flood limits and never loses a digest.
 *
 * - Each (digest, chat) item is claimed under a lease, sent, and acked right after the send, so a
 *   crash repeats at most the sends in flight at that moment (a lease that runs out makes the item
 *   due again).
 * - A `SendBudget` paces every sending call: at most `rate` per sliding second overall, evenly
 *   spaced, about 1/s per private chat and 20/min per group, a few bulk sends in flight. Command
 *   replies go through the same budget on the bot's own `Api` in the "reply" lane: they never queue
 *   behind the fan-out (they take the next free slot before any bulk send) and the two together
 *   stay within the limit.
 * - 429: @grammyjs/auto-retry waits exactly `retry_after` and resends, forever; the budget closes
 *   the whole lane for that time meanwhile so no other send runs into the closed scope.
 * - 403 (blocked, deactivated, kicked) and 400 "chat not found": the subscription is paused (kept)
 *   and the item fails. 5xx and network errors: the item is put back with exponential backoff.
 *   Any other 400 is a message Telegram will never take: logged with digest and chat, failed.
 */
import { setMaxListeners } from "node:events";
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, GrammyError, HttpError, type Transformer } from "grammy";
import type { InlineKeyboardMarkup, MessageEntity } from "grammy/types";
import type { Outbox, OutboxItem, SubscriberStore } from "../digest/index.js";
import type { Logger } from "./logger.js";

// ===================================================================================== budget ====

export type SendLane = "bulk" | "reply";

export interface SendBudgetOptions {
  /** Sending calls per second over both lanes (DELIVERY_RATE). */
  rate: number;
  /** Bulk sends waiting for an answer at once (default: rate / 4, at least 4). */
  maxBulkInFlight?: number;
  /** Minimum gap between two sends to one private chat (Telegram: about 1/s). */
  privateChatIntervalMs?: number;
  /** Minimum gap between two sends to one group or channel (Telegram: 20/min). */
  groupChatIntervalMs?: number;
  clock?: () => number;
}

export interface SendPermit {
  /** Marks the send done; a 429's `retry_after` closes the budget for that long. */
  release(outcome?: { retryAfterSeconds?: number | undefined }): void;
}

/** The send was aborted (the worker is stopping) before it reached Telegram: it did not happen. */
export class SendAbortedError extends Error {
  override name = "SendAbortedError";
  constructor(readonly chatId: number | string | undefined) {
    super(`send to chat ${String(chatId)} aborted before it was made`);
  }
}

/** The Bot API methods that Telegram counts against the flood limits. */
const SENDING_METHODS = new Set([
  "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendAnimation", "sendVoice", "sendVideoNote",
  "sendMediaGroup", "sendSticker", "sendPoll", "sendLocation", "sendVenue", "sendContact", "sendDice", "sendPaidMedia",
  "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
  "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
]);

interface ChatPace {
  /** When the last send to the chat finished (its answer came back). */
  lastDone: number;
  inFlight: number;
  closedUntil: number;
}

interface Waiter {
  lane: SendLane;
  chat: number | string | undefined;
  grant: (permit: SendPermit) => void;
  refuse: (error: Error) => void;
}

/** How long the per-chat map may grow before finished chats are forgotten. */
const CHAT_PACE_PRUNE_AT = 5000;

/**
 * A limiter shared by the delivery worker ("bulk") and the bot's own replies ("reply").
 *
 * The global window counts each send at the moment its answer came back (or now, while it is in
 * flight). Telegram counts it on arrival, which is earlier, so the budget never lets more than
 * `rate` arrive within any second, whatever the network delay: the cost is one round trip per slot.
 */
export class SendBudget {
  readonly rate: number;
  private readonly maxBulkInFlight: number;
  private readonly privateIntervalMs: number;
  private readonly groupIntervalMs: number;
  private readonly spacingMs: number;
  private readonly clock: () => number;
  private readonly windowMs = 1000;
  /** Finish times of sends in the last window, ascending; `head` skips the expired ones. */
  private done: number[] = [];
  private head = 0;
  private inFlight = 0;
  private bulkInFlight = 0;
  /** The earliest a bulk send may start: one spacing after the previous one's slot. */
  private nextBulkAt = Number.NEGATIVE_INFINITY;
  private closedUntil = 0;
  private readonly chats = new Map<number | string, ChatPace>();
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  /** Counters for logs and benchmarks. */
  readonly counters = { bulk: 0, reply: 0, tooManyRequests: 0 };

  constructor(options: SendBudgetOptions) {
    if (!(options.rate > 0)) throw new RangeError(`SendBudget: rate must be positive, got ${String(options.rate)}`);
    this.rate = options.rate;
    // A slot is held for the round trip: at 30/s and 200 ms to Telegram, six sends are in flight.
    this.maxBulkInFlight = Math.max(1, options.maxBulkInFlight ?? Math.max(4, Math.ceil(options.rate / 4)));
    this.privateIntervalMs = options.privateChatIntervalMs ?? 1000;
    this.groupIntervalMs = options.groupChatIntervalMs ?? 3000;
    // Even spacing: a burst would fill the window at once and then make a reply wait for its end.
    this.spacingMs = 1000 / options.rate;
    this.clock = options.clock ?? Date.now;
  }

  /** Waits for a slot in `lane` for a send to `chat`; rejects with SendAbortedError when `signal` aborts first. */
  acquire(lane: SendLane, chat: number | string | undefined, signal?: AbortSignal): Promise<SendPermit> {
    if (signal?.aborted) return Promise.reject(new SendAbortedError(chat));
    return new Promise<SendPermit>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new SendAbortedError(chat));
        this.pump();
      };
      const waiter: Waiter = {
        lane,
        chat,
        grant: (permit) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(permit);
        },
        refuse: reject,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /**
   * A grammY transformer that takes a permit for every sending call. Install it *before*
   * auto-retry (grammY runs the last installed first) so each retry takes a permit of its own.
   * In the bulk lane the abort signal only stops waiting: a send already made is awaited, so that
   * the worker knows whether it happened.
   */
  transformer(lane: SendLane): Transformer {
    return async (prev, method, payload, signal) => {
      if (!SENDING_METHODS.has(method)) return prev(method, payload, signal);
      const chat = (payload as { chat_id?: number | string }).chat_id;
      // grammY types its signal with the abort-controller polyfill's class; at run time it is Node's.
      const permit = await this.acquire(lane, chat, signal as unknown as AbortSignal | undefined);
      let released = false;
      try {
        const result = await prev(method, payload, lane === "bulk" ? undefined : signal);
        released = true;
        permit.release({ retryAfterSeconds: result.ok ? undefined : result.parameters?.retry_after });
        return result;
      } finally {
        if (!released) permit.release();
      }
    };
  }

  /** Sends waiting for a slot (for logs). */
  get waiting(): number {
    return this.waiters.length;
  }

  private chatInterval(chat: number | string): number {
    return typeof chat === "number" && chat > 0 ? this.privateIntervalMs : this.groupIntervalMs;
  }

  private windowCount(now: number): number {
    while (this.head < this.done.length && this.done[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 256 && this.head * 2 > this.done.length) {
      this.done = this.done.slice(this.head);
      this.head = 0;
    }
    return this.done.length - this.head + this.inFlight;
  }

  /** When `waiter` may go (≤ now: now), or +∞ when only a finishing send can free it. */
  private readyAt(waiter: Waiter, now: number): number {
    let at = this.closedUntil;
    if (this.windowCount(now) >= this.rate) {
      // The oldest finished send leaves the window at its finish + 1 s; in-flight ones only after they finish.
      const oldest = this.done[this.head];
      at = Math.max(at, oldest === undefined ? Number.POSITIVE_INFINITY : oldest + this.windowMs);
    }
    const pace = waiter.chat === undefined ? undefined : this.chats.get(waiter.chat);
    if (pace) at = Math.max(at, pace.closedUntil);
    if (waiter.lane === "bulk") {
      if (this.bulkInFlight >= this.maxBulkInFlight) return Number.POSITIVE_INFINITY;
      at = Math.max(at, this.nextBulkAt);
      if (pace) {
        // One send at a time to a chat, then the chat's gap (replies do not wait: Telegram allows a short burst).
        if (pace.inFlight > 0) return Number.POSITIVE_INFINITY;
        at = Math.max(at, pace.lastDone + this.chatInterval(waiter.chat!));
      }
    }
    return at;
  }

  private pump(): void {
    const now = this.clock();
    let wakeAt = Number.POSITIVE_INFINITY;
    // Replies first: a command answer takes the next free slot before any bulk send.
    for (const lane of ["reply", "bulk"] as const) {
      for (let i = 0; i < this.waiters.length; i++) {
        const waiter = this.waiters[i]!;
        if (waiter.lane !== lane) continue;
        const at = this.readyAt(waiter, now);
        if (at > now) {
          wakeAt = Math.min(wakeAt, at);
          continue;
        }
        this.waiters.splice(i, 1);
        i -= 1;
        waiter.grant(this.start(waiter, now));
      }
    }
    this.schedule(wakeAt, now);
  }

  private start(waiter: Waiter, now: number): SendPermit {
    this.inFlight += 1;
    this.counters[waiter.lane] += 1;
    if (waiter.lane === "bulk") {
      this.bulkInFlight += 1;
      // Slots follow the schedule, not the (always slightly late) timer: a late wake-up does not
      // push every later slot back. At most one slot of lateness is made up, never a burst.
      this.nextBulkAt = Math.max(this.nextBulkAt, now - this.spacingMs) + this.spacingMs;
    }
    const pace = waiter.chat === undefined ? undefined : this.chatPace(waiter.chat);
    if (pace) pace.inFlight += 1;
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        const doneAt = this.clock();
        this.inFlight -= 1;
        if (waiter.lane === "bulk") this.bulkInFlight -= 1;
        this.done.push(doneAt);
        if (pace) {
          pace.inFlight -= 1;
          pace.lastDone = doneAt;
        }
        const retryAfter = outcome?.retryAfterSeconds;
        if (retryAfter !== undefined) {
          this.counters.tooManyRequests += 1;
          // Telegram does not say whether the chat or the whole bot hit the limit: close both.
          const until = doneAt + retryAfter * 1000;
          this.closedUntil = Math.max(this.closedUntil, until);
          if (pace) pace.closedUntil = Math.max(pace.closedUntil, until);
        }
        this.pump();
      },
    };
  }

  private chatPace(chat: number | string): ChatPace {
    let pace = this.chats.get(chat);
    if (!pace) {
      if (this.chats.size >= CHAT_PACE_PRUNE_AT) this.pruneChats(this.clock());
      pace = { lastDone: Number.NEGATIVE_INFINITY, inFlight: 0, closedUntil: 0 };
      this.chats.set(chat, pace);
    }
    return pace;
  }

  /** Forgets chats whose gap and closure are over: a fan-out to 100,000 chats keeps only the recent ones. */
  private pruneChats(now: number): void {
    for (const [chat, pace] of this.chats) {
      if (pace.inFlight === 0 && pace.closedUntil <= now && pace.lastDone + this.chatInterval(chat) <= now) this.chats.delete(chat);
    }
  }

  private schedule(wakeAt: number, now: number): void {
    if (wakeAt === Number.POSITIVE_INFINITY) {
      // Nothing waits on time; a finishing send pumps again.
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer && this.timerAt <= wakeAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = wakeAt;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, Math.max(1, Math.ceil(wakeAt - now)));
  }
}

// ======================================================================================== api ====

export interface DeliveryApiOptions {
  token: string;
  /** TELEGRAM_API_ROOT. */
  apiRoot?: string;
  budget: SendBudget;
  /** Installed first, so they see every attempt (tests record calls with them). */
  transformers?: Transformer[];
}

/**
 * The worker's own `Api`: bulk lane of the budget, then auto-retry that waits out every 429 however
 * long (never drops) but hands 5xx and network errors back, so that the outbox (crash-safe) does the
 * backing off instead of a retry loop that a crash would forget.
 */
export function createDeliveryApi(options: DeliveryApiOptions): Api {
  const api = new Api(options.token, options.apiRoot ? { apiRoot: options.apiRoot } : undefined);
  for (const transformer of options.transformers ?? []) api.config.use(transformer);
  api.config.use(options.budget.transformer("bulk"));
  api.config.use(
    autoRetry({
      maxDelaySeconds: Number.POSITIVE_INFINITY,
      maxRetryAttempts: Number.POSITIVE_INFINITY,
      rethrowInternalServerErrors: true,
      rethrowHttpErrors: true,
    }),
  );
  return api;
}

// ============================================================================== classification ====

export type SendFailure =
  /** Telegram says the chat cannot be reached: pause the subscription, fail the item. */
  | { kind: "unreachable"; reason: string }
  /** Telegram will never take this message: log, fail the item. */
  | { kind: "rejected"; reason: string }
  /** Worth another try later (5xx, network, a 429 that slipped through). */
  | { kind: "transient"; reason: string; notBeforeMs?: number }
  /** The worker stopped before the send was made. */
  | { kind: "aborted"; reason: string };

export function classifySendError(error: unknown): SendFailure {
  if (error instanceof SendAbortedError) return { kind: "aborted", reason: error.message };
  if (error instanceof GrammyError) {
    const description = error.description;
    if (error.error_code === 403) return { kind: "unreachable", reason: description.replace(/^Forbidden:\s*/i, "") };
    if (error.error_code === 400 && /chat not found/i.test(description)) return { kind: "unreachable", reason: "chat not found" };
    if (error.error_code === 400 && error.parameters.migrate_to_chat_id !== undefined) {
      return { kind: "unreachable", reason: `group moved to supergroup ${error.parameters.migrate_to_chat_id}` };
    }
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return { kind: "transient", reason: description, notBeforeMs: seconds * 1000 };
    }
    if (error.error_code >= 500) return { kind: "transient", reason: `${error.error_code} ${description}` };
    return { kind: "rejected", reason: `${error.error_code} ${description}` };
  }
  if (error instanceof HttpError) {
    // auto-retry's pause rejects with a plain Error when aborted; grammY wraps network failures.
    return { kind: "transient", reason: `network: ${error.message}` };
  }
  if (error instanceof Error && /aborted while waiting/i.test(error.message)) return { kind: "aborted", reason: error.message };
  return { kind: "transient", reason: error instanceof Error ? error.message : String(error) };
}

// ===================================================================================== worker ====

/** One message as the outbox stores it (see bot/render/digest.ts). */
export interface OutboxMessage {
  text: string;
  entities?: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
}

/** A stored payload that is not `{ messages: [...] }`: the item can never be sent. */
export class DigestPayloadError extends Error {
  override name = "DigestPayloadError";
  constructor(
    readonly digestId: string,
    problem: string,
  ) {
    super(`digest ${digestId}: the outbox payload ${problem}`);
  }
}

export function messagesOfPayload(digestId: string, payload: unknown): OutboxMessage[] {
  if (payload === undefined) throw new DigestPayloadError(digestId, "is missing");
  const messages = (payload as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new DigestPayloadError(digestId, "has no messages");
  for (const [i, message] of messages.entries()) {
    if (typeof (message as { text?: unknown } | null)?.text !== "string") {
      throw new DigestPayloadError(digestId, `message ${i + 1} has no text`);
    }
  }
  return messages as OutboxMessage[];
}

export interface DeliveryWorkerOptions {
  outbox: Outbox;
  subscribers: SubscriberStore;
  /** The worker's own Api (createDeliveryApi), never the bot's: replies must not queue behind it. */
  api: Api;
  logger: Logger;
  /** Distinct per process (leases are per worker name). */
  workerId: string;
  /** Items handled at once (each waits for its budget slot). */
  concurrency?: number;
  /** How long a claim holds an item before another worker may take it. */
  leaseMs?: number;
  /** Sleep between claims when nothing is due. */
  pollMs?: number;
  /** Transient failures before an item is failed for good. */
  maxAttempts?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** A progress line every so often while there is work. */
  progressEveryMs?: number;
  now?: () => number;
}

export interface DeliveryCounters {
  sent: number;
  /** Items acked (an item may hold several messages). */
  delivered: number;
  failed: number;
  paused: number;
  retried: number;
}

export interface DeliveryWorker {
  start(): void;
  /**
   * Stops claiming, lets sends already made finish, and puts back items that had not sent yet.
   * Resolves when nothing is in flight.
   */
  stop(): Promise<void>;
  /** Claims at once instead of at the next poll (after a digest run queued work). */
  wake(): void;
  /** Resolves the next time the worker finds nothing due and holds nothing. */
  idle(): Promise<void>;
  readonly counters: Readonly<DeliveryCounters>;
}

/** Prefix of a retry reason that records how many of the item's messages went out already. */
const PROGRESS_MARK = /^\[sent (\d+)\/(\d+)\] /;
const PAYLOAD_CACHE_SIZE = 16;

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { outbox, subscribers, api, logger, workerId } = options;
  const now = options.now ?? Date.now;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const leaseMs = options.leaseMs ?? 120_000;
  const pollMs = options.pollMs ?? 1000;
  const maxAttempts = options.maxAttempts ?? 20;
  const backoff = options.backoff ?? { baseMs: 2000, maxMs: 10 * 60_000 };
  const progressEveryMs = options.progressEveryMs ?? 5000;

  const counters: DeliveryCounters = { sent: 0, delivered: 0, failed: 0, paused: 0, retried: 0 };
  const active = new Map<number, Promise<void>>();
  const payloads = new Map<string, OutboxMessage[] | DigestPayloadError>();
  let stopController = new AbortController();
  let running = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let idleWaiters: Array<() => void> = [];
  let progressTimer: NodeJS.Timeout | null = null;
  let progressMark = { at: now(), sent: 0 };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  async function messagesOf(digestId: string): Promise<OutboxMessage[]> {
    let cached = payloads.get(digestId);
    if (cached === undefined) {
      try {
        cached = messagesOfPayload(digestId, await outbox.digestPayload(digestId));
      } catch (error) {
        if (!(error instanceof DigestPayloadError)) throw error;
        cached = error;
      }
      if (payloads.size >= PAYLOAD_CACHE_SIZE) payloads.delete(payloads.keys().next().value as string);
      payloads.set(digestId, cached);
    }
    if (cached instanceof DigestPayloadError) throw cached;
    return cached;
  }

  function backoffMs(attempts: number): number {
    const full = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempts);
    // Jitter keeps a crowd of failed items from coming back in one burst.
    return Math.round(full / 2 + (Math.random() * full) / 2);
  }

  async function deliver(item: OutboxItem): Promise<void> {
    const fields = { digestId: item.digestId, chatId: item.chatId, itemId: item.id };
    let messages: OutboxMessage[];
    try {
      messages = await messagesOf(item.digestId);
    } catch (error) {
      logger.error({ ...fields, err: error }, "digest payload unusable; item failed");
      await outbox.fail(item.id, workerId, (error as Error).message);
      counters.failed += 1;
      return;
    }
    // Queued before the chat unsubscribed or became unreachable: not sent, kept as failed for the record.
    const subscriber = await subscribers.get(item.chatId);
    if (subscriber === undefined || subscriber.status !== "active") {
      const reason = subscriber === undefined ? "unsubscribed before delivery" : `paused before delivery: ${subscriber.pausedReason ?? ""}`;
      await outbox.fail(item.id, workerId, reason);
      counters.failed += 1;
      logger.debug({ ...fields, reason }, "digest not sent");
      return;
    }
    const progress = PROGRESS_MARK.exec(item.lastError ?? "");
    let index = progress && Number(progress[2]) === messages.length ? Number(progress[1]) : 0;
    for (; index < messages.length; index++) {
      const message = messages[index]!;
      try {
        await api.sendMessage(
          item.chatId,
          message.text,
          {
            ...(message.entities ? { entities: message.entities } : {}),
            ...(message.reply_markup ? { reply_markup: message.reply_markup } : {}),
            link_preview_options: { is_disabled: true },
          },
          stopController.signal as unknown as Parameters<Api["sendMessage"]>[3],
        );
        counters.sent += 1;
      } catch (error) {
        await settleFailure(item, index, messages.length, error, fields);
        return;
      }
    }
    await outbox.ack([item.id], workerId);
    counters.delivered += 1;
  }

  async function settleFailure(
    item: OutboxItem,
    index: number,
    total: number,
    error: unknown,
    fields: Record<string, unknown>,
  ): Promise<void> {
    const failure = classifySendError(error);
    const mark = index > 0 ? `[sent ${index}/${total}] ` : "";
    switch (failure.kind) {
      case "unreachable": {
        await subscribers.pause(item.chatId, failure.reason);
        await outbox.fail(item.id, workerId, failure.reason);
        counters.paused += 1;
        counters.failed += 1;
        logger.info({ ...fields, reason: failure.reason }, "chat unreachable; subscription paused");
        return;
      }
      case "rejected": {
        await outbox.fail(item.id, workerId, `${mark}${failure.reason}`);
        counters.failed += 1;
        logger.error({ ...fields, message: index + 1, reason: failure.reason }, "Telegram rejected a digest message; item failed");
        return;
      }
      case "aborted": {
        // Not sent: due again at once for whoever runs next (this process after a restart, or another).
        await outbox.retry(item.id, workerId, now(), `${mark}worker stopped`);
        return;
      }
      case "transient": {
        if (item.attempts + 1 >= maxAttempts) {
          await outbox.fail(item.id, workerId, `${mark}gave up after ${item.attempts + 1} attempts: ${failure.reason}`);
          counters.failed += 1;
          logger.error({ ...fields, attempts: item.attempts + 1, reason: failure.reason }, "digest delivery given up");
          return;
        }
        const delay = Math.max(failure.notBeforeMs ?? 0, backoffMs(item.attempts));
        await outbox.retry(item.id, workerId, now() + delay, `${mark}${failure.reason}`);
        counters.retried += 1;
        logger.warn({ ...fields, attempts: item.attempts + 1, retryInMs: delay, reason: failure.reason }, "digest send failed; will retry");
        return;
      }
    }
  }

  function track(item: OutboxItem): void {
    const task = deliver(item)
      .catch((error: unknown) => {
        // The store failed under us: the lease runs out and the item comes back.
        logger.error({ digestId: item.digestId, chatId: item.chatId, itemId: item.id, err: error }, "delivery bookkeeping failed");
      })
      .finally(() => {
        active.delete(item.id);
        wakeUp?.();
      });
    active.set(item.id, task);
  }

  async function run(): Promise<void> {
    while (running) {
      const free = concurrency - active.size;
      let claimed: OutboxItem[] = [];
      // Claiming in batches (not one item per finished send) keeps write transactions few.
      if (free >= Math.max(1, Math.floor(concurrency / 4))) {
        try {
          claimed = await outbox.claim(workerId, free, leaseMs, now());
        } catch (error) {
          logger.error({ err: error }, "outbox claim failed");
        }
      }
      for (const item of claimed) {
        if (!active.has(item.id)) track(item);
      }
      if (claimed.length === 0 && active.size === 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
        await sleep(pollMs);
      } else if (claimed.length === 0 || active.size >= concurrency) {
        await Promise.race([sleep(pollMs), ...active.values()]);
      }
    }
  }

  async function logProgress(): Promise<void> {
    const at = now();
    const sentNow = counters.sent;
    const seconds = Math.max(0.001, (at - progressMark.at) / 1000);
    const rate = (sentNow - progressMark.sent) / seconds;
    progressMark = { at, sent: sentNow };
    if (rate === 0 && active.size === 0) return;
    let remaining: number | null = null;
    try {
      const stats = await outbox.stats();
      remaining = stats.pending + stats.claimed;
    } catch {
      // Progress is best effort; the next line will try again.
    }
    logger.info(
      {
        sent: sentNow,
        total: remaining === null ? null : counters.delivered + counters.failed + remaining,
        remaining,
        rate: Math.round(rate * 10) / 10,
        etaSeconds: remaining === null || rate === 0 ? null : Math.round(remaining / rate),
        failed: counters.failed,
        paused: counters.paused,
        retried: counters.retried,
      },
      "delivery progress",
    );
  }

  return {
    counters,
    start() {
      if (running) return;
      running = true;
      stopController = new AbortController();
      // Every item waiting for a slot listens on this one signal.
      setMaxListeners(0, stopController.signal);
      progressMark = { at: now(), sent: counters.sent };
      progressTimer = setInterval(() => void logProgress(), progressEveryMs);
      progressTimer.unref();
      loop = run();
    },
    async stop() {
      if (!running) return;
      running = false;
      if (progressTimer) clearInterval(progressTimer);
      progressTimer = null;
      stopController.abort();
      wakeUp?.();
      await loop;
      await Promise.allSettled([...active.values()]);
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
      logger.info({ ...counters }, "delivery worker stopped");
    },
    wake() {
      wakeUp?.();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wakeUp?.();
      });
    },
  };
}
