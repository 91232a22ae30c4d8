/**
 * A strict local Telegram Bot API on node:http: grammY talks to it through
 * `new Bot(token, { client: { apiRoot: emulator.apiRoot } })`, tests and the console drive the
 * user's side and inspect what the bot did.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Api } from "grammy";
import type { Chat, Message, Update, User, UserFromGetMe } from "grammy/types";
import {
  EmulatorCore, type ApiCallRecord, type EmulatorEvent, type ViolationRecord,
} from "./core.js";
import { detectBotCommand } from "./entities.js";
import { ApiError, EmulatorTimeoutError, EmulatorUsageError } from "./errors.js";
import type { ChatKind, RateSettings, RetryAfterOverride } from "./limits.js";
import { findMethod, type MethodContext } from "./methods.js";
import { parseParams, readBody, RequestBodyError, type RequestParams } from "./params.js";
import { UpdateDelivery, type PollRequest } from "./polling.js";
import { defaultUser, type CallbackQueryRecord, type ChatRecord, type CommandList } from "./state.js";
import type { UpdatePayload } from "./updates.js";

export interface BotApiEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Messages per second over all chats (default 30). */
  globalRate?: number;
  /** Messages per second to one private chat (default 1). */
  perChatRate?: number;
  /** Messages a private chat may take at once (default 3). */
  perChatBurst?: number;
  /** Messages per minute to one group or channel (default 20). */
  groupPerMinute?: number;
  /** Fixed retry_after seconds, or a function of the computed one (to test long waits). */
  retryAfterSeconds?: RetryAfterOverride;
  /** Requests reaching a closed scope within this many ms of its 429 were in flight, not ignoring it (default 250). */
  inFlightGraceMs?: number;
  botInfo?: Partial<UserFromGetMe>;
  /** Epoch ms; defaults to Date.now. Dates, flood windows and query expiry follow it. */
  clock?: () => number;
  /**
   * Messages kept per chat (default unlimited; 0 keeps none); older ones are forgotten, as if
   * deleted. A 100k-subscriber benchmark wants a small value: every digest text is otherwise kept.
   */
  historyLimit?: number;
  /** Newest API calls kept in `calls` (default 10,000: enough for any test, bounded for benchmarks). */
  callLogLimit?: number;
}

export interface ChatView {
  id: number;
  type: Chat["type"];
  blocked: boolean;
  /** The bot's messages as currently shown, oldest first. */
  messages: Message[];
  /** Every message in the chat (user's and bot's), oldest first. */
  history: Message[];
  actions: Array<{ action: string; at: number }>;
}

export interface EmulatorStats {
  sent: number;
  sentPerChat: ReadonlyMap<number, number>;
  /** 429 responses issued. */
  tooManyRequests: number;
  /** Requests to a chat or the global scope before its retry_after had passed (beyond the in-flight grace). */
  ignoredRetryAfter: number;
  forbidden: number;
  chatNotFound: number;
}

export interface SendOptions {
  chatId: number;
  from?: Partial<User>;
  chatType?: ChatKind;
  replyToMessageId?: number;
}

/** Every Bot API method name grammY knows, lower-cased. */
const BOT_API_METHODS = new Set(
  Object.getOwnPropertyNames(Api.prototype).filter((name) => name !== "constructor").map((name) => name.toLowerCase()),
);

const DEFAULT_BOT: UserFromGetMe = {
  id: 7_000_000_001,
  is_bot: true,
  first_name: "Digest Bot",
  username: "digest_emulator_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export class BotApiEmulator {
  private readonly delivery: UpdateDelivery;

  private constructor(
    private readonly core: EmulatorCore,
    private readonly server: Server,
    readonly apiRoot: string,
  ) {
    this.delivery = new UpdateDelivery(core, (method, params) => this.webhookReply(method, params));
  }

  static async start(options: BotApiEmulatorOptions = {}): Promise<BotApiEmulator> {
    const core = new EmulatorCore({
      rates: {
        globalRate: options.globalRate ?? 30,
        perChatRate: options.perChatRate ?? 1,
        perChatBurst: options.perChatBurst ?? 3,
        groupPerMinute: options.groupPerMinute ?? 20,
      },
      retryAfterSeconds: options.retryAfterSeconds,
      inFlightGraceMs: options.inFlightGraceMs ?? 250,
      bot: { ...DEFAULT_BOT, ...options.botInfo },
      clock: options.clock ?? Date.now,
      historyLimit: options.historyLimit ?? Number.POSITIVE_INFINITY,
      callLogLimit: options.callLogLimit ?? 10_000,
    });
    let emulator: BotApiEmulator | undefined;
    const server = createServer((req, res) => {
      emulator!.handleHttp(req, res).catch(() => res.destroy()); // e.g. the client aborted mid-body
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    emulator = new BotApiEmulator(core, server, `http://127.0.0.1:${port}`);
    return emulator;
  }

  async close(): Promise<void> {
    await this.delivery.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ----

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let closed = false;
    let markClosed: () => void = () => {};
    const closedPromise = new Promise<void>((resolve) => (markClosed = resolve));
    res.on("close", () => {
      closed = true;
      markClosed();
    });
    const url = new URL(req.url ?? "/", "http://emulator");
    const route = /^\/bot([^/]+)\/([^/]*)$/.exec(url.pathname);
    let response: { status: number; body: unknown };
    if (!route || route[2] === "") {
      response = { status: 404, body: { ok: false, error_code: 404, description: "Not Found" } };
    } else {
      let params: RequestParams;
      try {
        params = parseParams(req.headers["content-type"], await readBody(req), url.searchParams);
      } catch (error) {
        if (!(error instanceof RequestBodyError)) throw error;
        this.sendJson(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${error.message}` });
        return;
      }
      response = await this.dispatch(route[2]!, params, { closed: closedPromise, isClosed: () => closed });
    }
    if (!closed) this.sendJson(res, response.status, response.body);
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  /** Runs one API call and records it; returns the HTTP status and the Bot API response body. */
  private async dispatch(
    method: string,
    params: RequestParams,
    connection?: Pick<PollRequest, "closed" | "isClosed">,
  ): Promise<{ status: number; body: unknown }> {
    const at = this.core.now();
    const handler = findMethod(method);
    if (!handler) {
      // A real method the emulator lacks must fail loudly, but not look like a typo to the bot author.
      const [code, description] = BOT_API_METHODS.has(method.toLowerCase())
        ? [501, `Not Implemented: the emulator does not serve ${method} yet; add it to bot/emulator/methods.ts`]
        : [404, "Not Found"];
      this.core.recordCall({ method, params: params.values, ok: false, error_code: code, description, at }, true);
      return { status: code, body: { ok: false, error_code: code, description } };
    }
    const context: MethodContext = { core: this.core, delivery: this.delivery, ...(connection ? { connection } : {}) };
    try {
      const result = await handler(params, context);
      this.core.recordCall({ method, params: params.values, ok: true, at }, false);
      return { status: 200, body: { ok: true, result } };
    } catch (error) {
      const apiError = error instanceof ApiError
        ? error
        : new ApiError(500, `Internal Server Error: emulator failed in ${method}: ${(error as Error).message}`, true);
      this.core.recordCall({
        method, params: params.values, ok: false, error_code: apiError.errorCode, description: apiError.description, at,
      }, apiError.violation);
      const body: Record<string, unknown> = { ok: false, error_code: apiError.errorCode, description: apiError.description };
      if (apiError.parameters) body.parameters = apiError.parameters;
      return { status: apiError.errorCode, body };
    }
  }

  private async webhookReply(method: string, values: Record<string, unknown>): Promise<void> {
    await this.dispatch(method, { values, files: new Map() });
  }

  // ---- driving the user's side ----

  /** Registers a chat without any update, as if its user had written long ago (benchmarks). */
  addChat(chatId: number, type: ChatKind = "private", user?: Partial<User>): void {
    this.core.chats.ensure(chatId, type, this.userFor(chatId, type, user));
  }

  /**
   * The user writes `text` (in a channel: a channel post); a leading /command gets its bot_command
   * entity like a real client. A negative chatId defaults to a group.
   */
  userSends(text: string, options: SendOptions): Update {
    const type = options.chatType ?? (options.chatId < 0 ? "group" : "private");
    const from = this.userFor(options.chatId, type, options.from);
    const record = this.core.chats.ensure(options.chatId, type, from);
    if (record.blocked) this.unblock(options.chatId); // Writing to a blocked bot ("Restart") unblocks it.
    const replyTo = options.replyToMessageId === undefined ? undefined : record.messages.get(options.replyToMessageId);
    if (options.replyToMessageId !== undefined && !replyTo) {
      throw new EmulatorUsageError(`userSends: no message ${options.replyToMessageId} in chat ${options.chatId} to reply to`);
    }
    const entities = detectBotCommand(text);
    const isChannel = type === "channel";
    const message = this.core.chats.addMessage(record, (message_id) => ({
      message_id,
      // Channel posts are signed by the channel, not by a user.
      ...(isChannel ? { sender_chat: record.chat } : { from }),
      chat: record.chat, date: this.core.nowSeconds(), text,
      ...(entities.length > 0 ? { entities } : {}),
      ...(replyTo ? { reply_to_message: replyTo } : {}),
    }) as Message);
    return this.core.updates.push((isChannel ? { channel_post: message } : { message }) as UpdatePayload);
  }

  /** The user edits one of their messages. */
  editUserMessage(options: { chatId: number; messageId: number; text: string }): Update {
    const record = this.requireChat(options.chatId, "editUserMessage");
    const message = record.messages.get(options.messageId);
    if (!message || this.core.isFromBot(message)) {
      throw new EmulatorUsageError(`editUserMessage: chat ${options.chatId} has no user message ${options.messageId}`);
    }
    const entities = detectBotCommand(options.text);
    const edited = { ...message, text: options.text, edit_date: this.core.nowSeconds() } as Message;
    if (entities.length > 0) edited.entities = entities;
    else delete edited.entities;
    record.messages.set(edited.message_id, edited);
    return this.core.updates.push({ edited_message: edited } as UpdatePayload);
  }

  /** The user taps an inline button; it must exist on that bot message with exactly this data. */
  pressButton(options: { chatId: number; messageId: number; data: string; from?: Partial<User> }): Update {
    const record = this.requireChat(options.chatId, "pressButton");
    const message = record.messages.get(options.messageId);
    if (!message || !this.core.isFromBot(message)) {
      throw new EmulatorUsageError(`pressButton: chat ${options.chatId} has no bot message ${options.messageId}`);
    }
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    if (!buttons.some((button) => "callback_data" in button && button.callback_data === options.data)) {
      throw new EmulatorUsageError(
        `pressButton: message ${options.messageId} in chat ${options.chatId} has no button with callback_data ${JSON.stringify(options.data)}`,
      );
    }
    const query = this.core.queries.create(options.chatId, options.messageId, options.data, this.core.now());
    return this.core.updates.push({
      callback_query: {
        id: query.id,
        from: this.userFor(options.chatId, record.kind, options.from),
        message,
        chat_instance: `${-Math.abs(options.chatId) * 7 - 13}`,
        data: options.data,
      },
    } as UpdatePayload);
  }

  /** The user blocks the bot: sends now fail with 403, and the bot gets a my_chat_member "kicked". */
  block(chatId: number): Update {
    return this.setBlocked(chatId, true);
  }

  /** The user unblocks the bot: a my_chat_member "member" update, sends work again. */
  unblock(chatId: number): Update {
    return this.setBlocked(chatId, false);
  }

  private setBlocked(chatId: number, blocked: boolean): Update {
    const record = this.requireChat(chatId, blocked ? "block" : "unblock");
    if (record.blocked === blocked) {
      throw new EmulatorUsageError(`${blocked ? "block" : "unblock"}: chat ${chatId} is already ${blocked ? "blocked" : "unblocked"}`);
    }
    record.blocked = blocked;
    const bot = this.core.botUser;
    const kicked = { status: "kicked", user: bot, until_date: 0 };
    const member = { status: "member", user: bot };
    return this.core.updates.push({
      my_chat_member: {
        chat: record.chat,
        from: this.userFor(chatId, record.kind),
        date: this.core.nowSeconds(),
        old_chat_member: blocked ? member : kicked,
        new_chat_member: blocked ? kicked : member,
      },
    } as UpdatePayload);
  }

  /** The user deletes their account: sends fail with 403 "Forbidden: user is deactivated"; no update. */
  deactivate(chatId: number): void {
    this.requireChat(chatId, "deactivate").deactivated = true;
  }

  /**
   * A group becomes a supergroup: sends to the old id fail with 400 and migrate_to_chat_id, and the
   * bot gets the service message Telegram posts in the old group.
   */
  migrateGroup(chatId: number, supergroupId: number): Update {
    const record = this.requireChat(chatId, "migrateGroup");
    if (record.kind !== "group") throw new EmulatorUsageError(`migrateGroup: chat ${chatId} is a ${record.kind}, not a group`);
    const supergroup = this.core.chats.ensure(supergroupId, "supergroup");
    record.migratedTo = supergroupId;
    const notice = this.core.chats.addMessage(record, (message_id) => ({
      message_id, from: this.userFor(chatId, "group"), chat: record.chat, date: this.core.nowSeconds(),
      migrate_to_chat_id: supergroup.chat.id,
    }) as Message);
    return this.core.updates.push({ message: notice } as UpdatePayload);
  }

  /** Queues any update (update_id is assigned). */
  pushUpdate(payload: UpdatePayload): Update {
    return this.core.updates.push(payload);
  }

  private requireChat(chatId: number, action: string): ChatRecord {
    const record = this.core.chats.get(chatId);
    if (!record) throw new EmulatorUsageError(`${action}: chat ${chatId} is unknown; let the user write first or call addChat`);
    return record;
  }

  private userFor(chatId: number, type: ChatKind, user?: Partial<User>): User {
    const id = user?.id ?? (type === "private" ? chatId : 1_000_000 + Math.abs(chatId));
    return { ...defaultUser(id), ...user, id, is_bot: false };
  }

  // ---- inspecting ----

  chat(chatId: number): ChatView {
    const record = this.requireChat(chatId, "chat");
    const history = [...record.messages.values()];
    return {
      id: record.chat.id,
      type: record.chat.type,
      blocked: record.blocked,
      messages: history.filter((message) => this.core.isFromBot(message)),
      history,
      actions: [...record.actions],
    };
  }

  hasChat(chatId: number): boolean {
    return this.core.chats.has(chatId);
  }

  get botInfo(): UserFromGetMe {
    return this.core.bot;
  }

  get calls(): readonly ApiCallRecord[] {
    const limit = this.core.options.callLogLimit;
    return this.core.calls.length > limit ? this.core.calls.slice(-limit) : this.core.calls;
  }

  get violations(): readonly ViolationRecord[] {
    return this.core.violations;
  }

  /** Every update pushed so far (delivered or not). */
  get updates(): readonly Update[] {
    return this.core.updates.history;
  }

  get pendingUpdateCount(): number {
    return this.core.updates.pendingCount;
  }

  get commands(): CommandList[] {
    return [...this.core.commandLists.values()];
  }

  callbackQuery(id: string): CallbackQueryRecord | undefined {
    return this.core.queries.get(id);
  }

  /** Every button press so far; a query left unanswered keeps the user's spinner turning. */
  get callbackQueries(): CallbackQueryRecord[] {
    return this.core.queries.all();
  }

  stats(): EmulatorStats {
    return { ...this.core.counters, sentPerChat: new Map(this.core.sentPerChat) };
  }

  setRates(rates: Partial<RateSettings>): void {
    this.core.flood.setRates(rates);
  }

  get rates(): RateSettings {
    return this.core.flood.rates;
  }

  /** Listens to what the bot does (messages sent, edited, deleted; answers; every call). */
  onEvent(listener: (event: EmulatorEvent) => void): () => void {
    return this.core.on(listener);
  }

  /**
   * Resolves with the first truthy value of `predicate`, checked now and after every API call or
   * update; rejects after `timeoutMs`.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = predicate();
        } catch (error) {
          done();
          reject(error);
          return true;
        }
        if (value) {
          done();
          resolve(value);
          return true;
        }
        return false;
      };
      const offEvent = this.core.on(() => void check());
      const offPush = this.core.updates.onPush(() => void check());
      // Also poll: a predicate may depend on things outside the emulator (a store, a clock).
      const poll = setInterval(() => void check(), 20);
      const timer = setTimeout(() => {
        done();
        reject(new EmulatorTimeoutError(`waitFor: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      function done(): void {
        offEvent();
        offPush();
        clearInterval(poll);
        clearTimeout(timer);
      }
      check();
    });
  }
}

export function startBotApiEmulator(options?: BotApiEmulatorOptions): Promise<BotApiEmulator> {
  return BotApiEmulator.start(options);
}
