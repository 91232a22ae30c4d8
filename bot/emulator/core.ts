/**
 * The emulator's shared state and the rules every sending method applies (chat exists, not
 * blocked, flood limits), separate from HTTP so webhook replies and direct calls share them.
 */
import type { Message, User, UserFromGetMe } from "grammy/types";
import { ApiError, badRequest } from "./errors.js";
import { FloodControl, type RateSettings, type RetryAfterOverride } from "./limits.js";
import { CallbackQueries, ChatRegistry, type ChatRecord, type CommandList } from "./state.js";
import { UpdateQueue } from "./updates.js";
import type { WebhookDelivery } from "./webhook.js";

export interface ApiCallRecord {
  method: string;
  params: Record<string, unknown>;
  ok: boolean;
  error_code?: number;
  description?: string;
  /** Emulator clock, epoch ms. */
  at: number;
}

export interface ViolationRecord {
  method: string;
  description: string;
  params: Record<string, unknown>;
  at: number;
}

export type EmulatorEvent =
  | { kind: "sent"; chatId: number; message: Message }
  | { kind: "edited"; chatId: number; message: Message }
  | { kind: "deleted"; chatId: number; messageId: number }
  | { kind: "callbackAnswered"; chatId: number; queryId: string; text?: string }
  | { kind: "chatAction"; chatId: number; action: string }
  | { kind: "call"; call: ApiCallRecord };

export interface CoreOptions {
  rates: RateSettings;
  retryAfterSeconds: RetryAfterOverride | undefined;
  inFlightGraceMs: number;
  bot: UserFromGetMe;
  clock: () => number;
  historyLimit: number;
  callLogLimit: number;
}

/** Sending methods count against flood limits; the rest do not. */
export const RATE_LIMITED_METHODS = new Set([
  "sendmessage", "sendphoto", "senddocument", "copymessage", "forwardmessage",
  "editmessagetext", "editmessagereplymarkup", "editmessagecaption",
]);

export class EmulatorCore {
  readonly chats: ChatRegistry;
  readonly queries = new CallbackQueries();
  readonly updates = new UpdateQueue(100_000_001);
  readonly flood: FloodControl;
  readonly commandLists = new Map<string, CommandList>();
  readonly menuButtons = new Map<number | "default", unknown>();
  /** file_id → what it stands for, for every file the emulator has handed out. */
  readonly files = new Map<string, string>();
  /** setMyDescription and friends, by "field|language_code". */
  readonly botTexts = new Map<string, string>();
  readonly calls: ApiCallRecord[] = [];
  readonly violations: ViolationRecord[] = [];
  readonly sentPerChat = new Map<number, number>();
  readonly counters = { sent: 0, tooManyRequests: 0, ignoredRetryAfter: 0, forbidden: 0, chatNotFound: 0 };
  webhook: WebhookDelivery | null = null;
  private readonly listeners = new Set<(event: EmulatorEvent) => void>();

  constructor(readonly options: CoreOptions) {
    this.chats = new ChatRegistry(options.historyLimit);
    const { id, first_name, username } = options.bot;
    this.botUser = { id, is_bot: true, first_name, username };
    this.flood = new FloodControl(options.rates, options.retryAfterSeconds, options.inFlightGraceMs);
  }

  get bot(): UserFromGetMe {
    return this.options.bot;
  }

  /** The bot as it appears in `from` of its messages: a plain User, not getMe's extras. */
  readonly botUser: User;

  now(): number {
    return this.options.clock();
  }

  nowSeconds(): number {
    return Math.floor(this.options.clock() / 1000);
  }

  on(listener: (event: EmulatorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EmulatorEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  recordCall(call: ApiCallRecord, violation: boolean): void {
    this.calls.push(call);
    // Trimmed in batches so a long benchmark does not pay an O(n) splice per call.
    const limit = this.options.callLogLimit;
    if (this.calls.length >= 2 * limit) this.calls.splice(0, this.calls.length - limit);
    if (violation && call.description !== undefined) {
      this.violations.push({ method: call.method, description: call.description, params: call.params, at: call.at });
    }
    this.emit({ kind: "call", call });
  }

  /**
   * The chat a method addresses, checked like Telegram: known, not blocked, and (for sending
   * methods) within flood limits.
   */
  targetChat(chatId: number | string, method: string): ChatRecord {
    const record = typeof chatId === "number" ? this.chats.get(chatId) : undefined;
    if (!record) {
      this.counters.chatNotFound++;
      throw new ApiError(400, "Bad Request: chat not found", false);
    }
    if (record.migratedTo !== undefined) {
      throw new ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", false, {
        migrate_to_chat_id: record.migratedTo,
      });
    }
    if (record.deactivated) {
      this.counters.forbidden++;
      throw new ApiError(403, "Forbidden: user is deactivated", false);
    }
    if (record.blocked) {
      this.counters.forbidden++;
      throw record.kind === "private"
        ? new ApiError(403, "Forbidden: bot was blocked by the user", false)
        : new ApiError(403, `Forbidden: bot was kicked from the ${record.kind} chat`, false);
    }
    if (RATE_LIMITED_METHODS.has(method)) {
      const admission = this.flood.admit(record.chat.id, record.kind, this.now());
      if (!admission.admitted) {
        this.counters.tooManyRequests++;
        if (admission.ignored) this.counters.ignoredRetryAfter++;
        throw new ApiError(429, `Too Many Requests: retry after ${admission.retryAfter}`, false, {
          retry_after: admission.retryAfter,
        });
      }
    }
    return record;
  }

  /** A message the bot may edit or delete in `record`. */
  findMessage(record: ChatRecord, messageId: number | undefined, missing: string): Message {
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const message = record.messages.get(messageId);
    if (!message) throw badRequest(missing);
    return message;
  }

  /** Messages the bot sent (or edited versions of them); channel posts carry no `from` to tell. */
  private readonly botMessages = new WeakSet<Message>();

  markFromBot(message: Message): Message {
    this.botMessages.add(message);
    return message;
  }

  isFromBot(message: Message): boolean {
    return this.botMessages.has(message);
  }

  countSent(chatId: number): void {
    this.counters.sent++;
    this.sentPerChat.set(chatId, (this.sentPerChat.get(chatId) ?? 0) + 1);
  }
}
