/**
 * Flood control like Telegram's: a global sliding window over all sending calls and one window
 * per chat (private chats: a rate with a small burst; groups and channels: per minute). Over a
 * limit the scope is closed for `retry_after` whole seconds; a request to a closed scope is
 * refused again and, past a short in-flight grace, counted as an ignored 429 — the one thing a
 * bot must never do.
 */

export interface RateSettings {
  /** Messages per second over all chats. */
  globalRate: number;
  /** Messages per second to one private chat (average). */
  perChatRate: number;
  /** Messages a private chat may receive at once before the average applies. */
  perChatBurst: number;
  /** Messages per minute to one group, supergroup or channel. */
  groupPerMinute: number;
}

export type ChatKind = "private" | "group" | "supergroup" | "channel";
export type RateScope = "global" | "chat";

export type RetryAfterOverride = number | ((scope: RateScope, computedSeconds: number) => number);

export type Admission =
  | { admitted: true }
  | { admitted: false; scope: RateScope; retryAfter: number; ignored: boolean };

/** Timestamps of admitted sends within the last `windowMs`, oldest first. */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  count(now: number, windowMs: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= now - windowMs) this.head++;
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** Ms until the window admits one more, given `limit`. Call right after `count`. */
  msUntilFree(now: number, windowMs: number, limit: number): number {
    const blocking = this.times[this.times.length - limit];
    return blocking === undefined ? 0 : blocking + windowMs - now;
  }

  record(now: number): void {
    this.times.push(now);
  }
}

interface ScopeState {
  window: SlidingWindow;
  closedUntil: number;
  closedAt: number;
}

function newScope(): ScopeState {
  return { window: new SlidingWindow(), closedUntil: 0, closedAt: 0 };
}

export class FloodControl {
  private readonly global = newScope();
  private readonly chats = new Map<number | string, ScopeState>();

  constructor(
    private settings: RateSettings,
    private readonly retryAfterOverride: RetryAfterOverride | undefined,
    /** Requests reaching a closed scope this soon after the 429 were already in flight. */
    private readonly inFlightGraceMs: number,
  ) {}

  setRates(settings: Partial<RateSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  get rates(): RateSettings {
    return { ...this.settings };
  }

  /** Decides one sending request to `chatId`; admitted requests are counted in both windows. */
  admit(chatId: number | string, kind: ChatKind, now: number): Admission {
    const chat = this.chats.get(chatId) ?? newScope();
    this.chats.set(chatId, chat);
    for (const [scope, state] of [["global", this.global], ["chat", chat]] as const) {
      if (now < state.closedUntil) {
        return {
          admitted: false, scope, retryAfter: Math.max(1, Math.ceil((state.closedUntil - now) / 1000)),
          ignored: now - state.closedAt > this.inFlightGraceMs,
        };
      }
    }
    const globalWindowMs = 1000;
    const globalLimit = Math.max(1, Math.floor(this.settings.globalRate));
    const chatWindow = this.chatWindow(kind);
    for (const [scope, state, windowMs, limit] of [
      ["global", this.global, globalWindowMs, globalLimit],
      ["chat", chat, chatWindow.windowMs, chatWindow.limit],
    ] as const) {
      if (state.window.count(now, windowMs) >= limit) {
        const computed = Math.max(1, Math.ceil(state.window.msUntilFree(now, windowMs, limit) / 1000));
        const retryAfter = this.applyOverride(scope, computed);
        state.closedAt = now;
        state.closedUntil = now + retryAfter * 1000;
        return { admitted: false, scope, retryAfter, ignored: false };
      }
    }
    this.global.window.record(now);
    chat.window.record(now);
    return { admitted: true };
  }

  private chatWindow(kind: ChatKind): { windowMs: number; limit: number } {
    if (kind !== "private") return { windowMs: 60_000, limit: Math.max(1, Math.floor(this.settings.groupPerMinute)) };
    const rate = this.settings.perChatRate;
    const burst = Math.max(1, Math.floor(this.settings.perChatBurst));
    // The burst is spread over the time the average rate needs to send it (at least a second).
    const windowMs = Math.max(1000, (burst / rate) * 1000);
    return { windowMs, limit: Math.max(burst, Math.floor((rate * windowMs) / 1000)) };
  }

  private applyOverride(scope: RateScope, computed: number): number {
    const override = this.retryAfterOverride;
    if (override === undefined) return computed;
    const value = typeof override === "number" ? override : override(scope, computed);
    return Math.max(1, Math.ceil(value));
  }
}
