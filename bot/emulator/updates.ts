/**
 * The bot's pending updates: numbered in order, filtered by `allowed_updates`, confirmed by
 * offset (getUpdates) or by a 2xx answer (webhook).
 */
import type { Update } from "grammy/types";

/** Sent only when asked for explicitly, as on Telegram. */
const OPT_IN_UPDATE_TYPES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

export type UpdatePayload = Omit<Update, "update_id">;

export function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "unknown";
}

export class UpdateQueue {
  private queue: Update[] = [];
  private lastUpdateId: number;
  private allowed: Set<string> | null = null;
  private readonly listeners = new Set<() => void>();
  /** Every update ever pushed, for inspection. */
  readonly history: Update[] = [];

  constructor(firstUpdateId: number) {
    this.lastUpdateId = firstUpdateId - 1;
  }

  push(payload: UpdatePayload): Update {
    const update = { update_id: ++this.lastUpdateId, ...payload } as Update;
    this.queue.push(update);
    this.history.push(update);
    for (const listener of [...this.listeners]) listener();
    return update;
  }

  /** Calls `listener` after each push until the returned function is called. */
  onPush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An empty list restores Telegram's default (everything except the opt-in types). */
  setAllowedUpdates(types: readonly string[] | undefined): void {
    if (types === undefined) return;
    this.allowed = types.length === 0 ? null : new Set(types);
  }

  get allowedUpdates(): string[] | undefined {
    return this.allowed ? [...this.allowed] : undefined;
  }

  /** getUpdates' offset: confirms everything before it; a negative one keeps only the last -offset. */
  confirm(offset: number): void {
    if (offset > 0) this.queue = this.queue.filter((update) => update.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
  }

  /** Drops the given update (webhook delivered it). */
  remove(updateId: number): void {
    this.queue = this.queue.filter((update) => update.update_id !== updateId);
  }

  /** Up to `limit` deliverable updates, oldest first; updates the bot did not ask for are dropped. */
  peek(limit: number): Update[] {
    this.queue = this.queue.filter((update) => this.isAllowed(update));
    return this.queue.slice(0, limit);
  }

  clear(): void {
    this.queue = [];
  }

  get pendingCount(): number {
    return this.queue.filter((update) => this.isAllowed(update)).length;
  }

  private isAllowed(update: Update): boolean {
    const type = updateType(update);
    return this.allowed ? this.allowed.has(type) : !OPT_IN_UPDATE_TYPES.has(type);
  }
}
