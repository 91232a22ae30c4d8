/**
 * Drives the real bot (createBot with every feature) through `bot.handleUpdate`, with a recording
 * transport installed under auto-retry that answers like Telegram and checks every call with the
 * emulator's strict validators: a reply Telegram would refuse comes back as its 400 and is listed
 * in `violations`.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Transformer } from "grammy";
import type { Message, Update, UserFromGetMe } from "grammy/types";
import {
  createMemoryArticleStore,
  createMemorySubscriberStore,
  createQuoteIndex,
  indexedArticleOf,
} from "../../digest/index.js";
import { readArticleFile, type ArticleWithQuotes } from "../../bot/article-file.js";
import { createArticleSearch } from "../../bot/article-search.js";
import type { BotDeps, UiLang, UserPrefs } from "../../bot/context.js";
import { createBot } from "../../bot/create-bot.js";
import { checkReplyMarkup, formatText } from "../../bot/emulator/index.js";
import { createLogger } from "../../bot/logger.js";
import { CORPUS_DIR } from "../helpers/corpus.js";

export const BOT_INFO: UserFromGetMe = {
  id: 4242,
  is_bot: true,
  first_name: "Digest",
  username: "digest_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as UserFromGetMe;

/** Shaped like a real token (a 10-digit bot id), so the logger recognises it. */
export const TOKEN = "4242424242:AAEtestTokenThatMustNeverBeLogged_0123456789";

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  /** The error Telegram would have answered, if any. */
  error?: { error_code: number; description: string };
}

type Failure = { error_code: number; description: string; parameters?: { retry_after?: number } };

/** Parsed corpus articles with their extracted quotes (parsed once per test file). */
let corpusCache: ArticleWithQuotes[] | undefined;
export function corpusArticles(): ArticleWithQuotes[] {
  corpusCache ??= readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((file) => readArticleFile(join(CORPUS_DIR, file), file));
  return corpusCache;
}

export function memoryPrefs(): UserPrefs & { langs: Map<number, UiLang> } {
  const langs = new Map<number, UiLang>();
  return {
    langs,
    async getLang(userId) {
      return langs.get(userId) ?? null;
    },
    async setLang(userId, lang) {
      langs.set(userId, lang);
    },
  };
}

export interface Harness {
  deps: BotDeps;
  calls: RecordedCall[];
  violations: string[];
  logs: string[];
  /** Makes the transport answer calls matching `when` with an error (403, 429…). */
  failWhen(when: (method: string, payload: Record<string, unknown>) => Failure | undefined): void;
  send(text: string, options?: UserOptions): Promise<RecordedCall[]>;
  press(data: string, options?: UserOptions & { messageId?: number; messageText?: string }): Promise<RecordedCall[]>;
  update(update: Omit<Update, "update_id">): Promise<RecordedCall[]>;
  /** Messages sent (sendMessage/sendPhoto) in the calls given. */
  sent(calls: RecordedCall[]): RecordedCall[];
}

export interface UserOptions {
  userId?: number;
  chatId?: number;
  chatType?: "private" | "group" | "supergroup";
  languageCode?: string;
  firstName?: string;
}

export async function createHarness(options: {
  articles?: ArticleWithQuotes[];
  adminIds?: number[];
  tz?: string;
  rateLimit?: { limit: number; timeFrameMs: number };
} = {}): Promise<Harness> {
  const articles = createMemoryArticleStore();
  const quotes = createQuoteIndex();
  const search = createArticleSearch();
  const now = Date.UTC(2024, 0, 15, 8, 0, 0);
  for (const { article, quotes: set } of options.articles ?? corpusArticles()) {
    await articles.put(article, set, now);
    quotes.upsert(indexedArticleOf(article), set);
    search.upsert(article);
  }
  const logs: string[] = [];
  const logger = createLogger("debug", {
    write(line: string) {
      logs.push(line);
      return true;
    },
  } as unknown as NodeJS.WritableStream);
  const deps: BotDeps = {
    articles,
    subscribers: createMemorySubscriberStore(),
    prefs: memoryPrefs(),
    quotes,
    search,
    config: { adminIds: options.adminIds ?? [], digest: { cron: "0 8 * * *", tz: options.tz ?? "Asia/Shanghai" } },
    logger,
    now: () => now,
    lastIngest: () => ({ at: now, files: 29, added: 29, updated: 0, failed: 0 }),
  };

  const calls: RecordedCall[] = [];
  const violations: string[] = [];
  let failure: (method: string, payload: Record<string, unknown>) => Failure | undefined = () => undefined;
  const messageIds = new Map<number, number>();
  const transport: Transformer = async (_prev, method, payload) => {
    const p = (payload ?? {}) as Record<string, unknown>;
    const call: RecordedCall = { method, payload: p };
    calls.push(call);
    const rejected = validate(method, p);
    if (rejected) {
      violations.push(`${method}: ${rejected}`);
      call.error = { error_code: 400, description: `Bad Request: ${rejected}` };
      return { ok: false, ...call.error } as never;
    }
    const fail = failure(method, p);
    if (fail) {
      call.error = fail;
      return { ok: false, ...fail } as never;
    }
    return { ok: true, result: fakeResult(method, p, messageIds) } as never;
  };
  const { bot } = createBot({
    token: TOKEN,
    deps,
    botInfo: BOT_INFO,
    transformers: [transport],
    // Tests must not sleep through real retry_after waits longer than a second.
    autoRetry: { maxDelaySeconds: 1, maxRetryAttempts: 2 },
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : { rateLimit: { limit: 1000, timeFrameMs: 1000 } }),
  });

  let updateId = 1000;
  const run = async (update: Omit<Update, "update_id">): Promise<RecordedCall[]> => {
    const from = calls.length;
    await bot.handleUpdate({ update_id: ++updateId, ...update } as Update);
    return calls.slice(from);
  };
  const userOf = (o: UserOptions) => ({
    id: o.userId ?? 7001,
    is_bot: false,
    first_name: o.firstName ?? "Ada",
    language_code: o.languageCode ?? "en",
  });
  const chatOf = (o: UserOptions) =>
    (o.chatType ?? "private") === "private"
      ? { id: o.chatId ?? o.userId ?? 7001, type: "private" as const, first_name: o.firstName ?? "Ada" }
      : { id: o.chatId ?? -100123, type: o.chatType as "group", title: "News room" };

  return {
    deps,
    calls,
    violations,
    logs,
    failWhen(when) {
      failure = when;
    },
    send(text, o = {}) {
      const command = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?/.exec(text);
      const message = {
        message_id: ++updateId,
        date: Math.floor(now / 1000),
        chat: chatOf(o),
        from: userOf(o),
        text,
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      };
      return run({ message } as Omit<Update, "update_id">);
    },
    press(data, o = {}) {
      return run({
        callback_query: {
          id: `cq${++updateId}`,
          from: userOf(o),
          chat_instance: "ci",
          data,
          message: {
            message_id: o.messageId ?? 1,
            date: Math.floor(now / 1000),
            chat: chatOf(o),
            from: BOT_INFO,
            text: o.messageText ?? "an earlier message",
          },
        },
      } as Omit<Update, "update_id">);
    },
    update: run,
    sent(list) {
      return list.filter((c) => (c.method === "sendMessage" || c.method === "sendPhoto") && !c.error);
    },
  };
}

/** Telegram's refusal for a call, as its description without "Bad Request: ", or null. */
function validate(method: string, p: Record<string, unknown>): string | null {
  try {
    if (method === "sendMessage" || method === "editMessageText") {
      formatText("text", p.text as string, p.parse_mode as string | undefined, p.entities);
    }
    if (method === "sendPhoto") {
      if (typeof p.photo !== "string" || !p.photo) return "photo is required";
      formatText("caption", p.caption as string | undefined, p.parse_mode as string | undefined, p.caption_entities);
    }
  } catch (error) {
    return (error as Error & { description?: string }).description?.replace(/^Bad Request: /, "") ?? (error as Error).message;
  }
  if (p.reply_markup !== undefined) {
    const problem = checkReplyMarkup(p.reply_markup);
    if (problem) return problem;
    // Not a Telegram error, but a sign of sloppy keyboard building.
    const rows = (p.reply_markup as { inline_keyboard?: unknown[][] }).inline_keyboard ?? [];
    if (rows.some((row) => row.length === 0)) return "empty keyboard row";
  }
  if (method === "answerCallbackQuery" && typeof p.text === "string" && p.text.length > 200) return "MESSAGE_TOO_LONG";
  if (method === "setMyCommands") {
    const commands = p.commands as Array<{ command: string; description: string }>;
    if (commands.length > 100) return "too many commands";
    for (const c of commands) {
      if (!/^[a-z0-9_]{1,32}$/.test(c.command)) return "BOT_COMMAND_INVALID";
      if (c.description.length < 1 || c.description.length > 256) return "BOT_COMMAND_DESCRIPTION_INVALID";
    }
  }
  return null;
}

function fakeResult(method: string, p: Record<string, unknown>, messageIds: Map<number, number>): unknown {
  const chatId = Number(p.chat_id);
  if (method === "sendMessage" || method === "sendPhoto" || method === "editMessageText") {
    const id = method === "editMessageText" ? Number(p.message_id) : (messageIds.get(chatId) ?? 0) + 1;
    if (method !== "editMessageText") messageIds.set(chatId, id);
    return {
      message_id: id,
      date: 1_700_000_000,
      chat: chatId > 0 ? { id: chatId, type: "private", first_name: "Ada" } : { id: chatId, type: "group", title: "News room" },
      text: p.text as string | undefined,
      caption: p.caption as string | undefined,
    } satisfies Partial<Message> as unknown;
  }
  return true;
}
