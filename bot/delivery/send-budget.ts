/**
 * The send budget (issue 5, DESIGN §7): paces every sending call. At most `rate` per sliding second
 * overall, evenly spaced, about 1/s per private chat and 20/min per group, a few bulk sends in
 * flight. Command replies go through the same budget on the bot's own `Api` in the "reply" lane:
 * they never queue behind the fan-out (they take the next free slot before any bulk send) and the
 * two together stay within the limit. A 429's `retry_after` closes the lane for that long.
 */
import type { Transformer } from "grammy";
import type { ChatKind, SharedSendGate } from "./redis-gate.js";

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
  /**
   * Several instances sharing one limit (Redis): each bulk send also takes a slot from the gate,
   * and a 429 pauses every instance. Replies stay local and go first.
   */
  gate?: SharedSendGate;
  /** Hears gate failures (Redis unreachable); bulk sends wait `gateRetryMs` and ask again. Default: ignore. */
  onGateError?: (error: unknown) => void;
  /** How long bulk sends wait after a gate failure before asking again (default 1000 ms). */
  gateRetryMs?: number;
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
  /** The earliest the shared gate said this send's chat may go (0: no word from the gate). */
  gateReadyAt: number;
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
  private readonly gate: SharedSendGate | undefined;
  private readonly onGateError: (error: unknown) => void;
  private readonly gateRetryMs: number;
  /** One question to the gate at a time: its answer pumps again. */
  private gateAsking = false;
  /** The gate said no bulk send may go before this (the global rate, a shared pause, or a gate failure). */
  private gateClosedUntil = 0;
  /** Counters for logs and benchmarks. */
  readonly counters = { bulk: 0, reply: 0, tooManyRequests: 0, gateWaits: 0, gateErrors: 0 };

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
    this.gate = options.gate;
    this.onGateError = options.onGateError ?? (() => {});
    this.gateRetryMs = options.gateRetryMs ?? 1000;
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
        gateReadyAt: 0,
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
    return chatKind(chat) === "private" ? this.privateIntervalMs : this.groupIntervalMs;
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
      at = Math.max(at, this.nextBulkAt, this.gateClosedUntil, waiter.gateReadyAt);
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
        if (lane === "bulk" && this.gate) {
          // Ready here; the other instances have their say. The answer pumps again.
          if (!this.gateAsking) this.askGate(this.gate, waiter, now);
          continue;
        }
        this.waiters.splice(i, 1);
        i -= 1;
        waiter.grant(this.start(waiter, now));
      }
    }
    this.schedule(wakeAt, now);
  }

  private askGate(gate: SharedSendGate, waiter: Waiter, now: number): void {
    this.gateAsking = true;
    const chat = waiter.chat;
    gate.reserve(chat, chat === undefined ? "private" : chatKind(chat), now).then(
      (answer) => {
        this.gateAsking = false;
        if (answer.blockedBy === null) {
          const index = this.waiters.indexOf(waiter);
          // Aborted while we asked: the slot goes unused, which errs on the safe side.
          if (index >= 0) {
            this.waiters.splice(index, 1);
            waiter.grant(this.start(waiter, this.clock()));
          }
        } else {
          this.counters.gateWaits += 1;
          const until = now + answer.waitMs;
          // Only this chat waits for its own pace; the rate and a pause hold every bulk send.
          if (answer.blockedBy === "chat") waiter.gateReadyAt = until;
          else this.gateClosedUntil = Math.max(this.gateClosedUntil, until);
          // Another instance's 429 holds replies here too, as our own would.
          if (answer.blockedBy === "pause") this.closedUntil = Math.max(this.closedUntil, until);
        }
        this.pump();
      },
      (error: unknown) => {
        this.gateAsking = false;
        this.counters.gateErrors += 1;
        this.onGateError(error);
        this.gateClosedUntil = Math.max(this.gateClosedUntil, this.clock() + this.gateRetryMs);
        this.pump();
      },
    );
  }

  private start(waiter: Waiter, now: number): SendPermit {
    this.inFlight += 1;
    this.counters[waiter.lane] += 1;
    if (waiter.lane === "reply" && this.gate) {
      // The reply does not wait for Redis, but the other instances' bulk sends make room for it.
      this.gate.noteUngated(now).catch((error: unknown) => {
        this.counters.gateErrors += 1;
        this.onGateError(error);
      });
    }
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
          if (this.gate) {
            this.gate.pauseAll(until, doneAt).catch((error: unknown) => {
              this.counters.gateErrors += 1;
              this.onGateError(error);
            });
          }
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

/** Telegram's pace for a chat: positive ids are private chats, negative ones groups and channels, strings (@name) channels. */
export function chatKind(chat: number | string): ChatKind {
  return typeof chat === "number" && chat > 0 ? "private" : "group";
}
