/**
 * What the emulated Telegram knows: chats (registered when a user writes or by `addChat`), the
 * messages currently shown in each, callback queries awaiting an answer, and the bot's commands.
 */
import type { BotCommand, Chat, Message, User } from "grammy/types";
import type { ChatKind } from "./limits.js";

export interface ChatRecord {
  chat: Chat;
  kind: ChatKind;
  blocked: boolean;
  /** The user deleted their account: every send fails with 403 "user is deactivated". */
  deactivated: boolean;
  /** A group upgraded to this supergroup: sends fail with 400 and migrate_to_chat_id. */
  migratedTo?: number;
  lastMessageId: number;
  /** Messages as currently shown, by id, oldest first (user's and bot's). */
  messages: Map<number, Message>;
  actions: Array<{ action: string; at: number }>;
}

export interface CallbackQueryRecord {
  id: string;
  chatId: number;
  messageId: number;
  data: string;
  createdAt: number;
  answered: boolean;
  answer?: { text?: string; show_alert?: boolean; url?: string };
}

export interface CommandList {
  scope: Record<string, unknown>;
  language_code: string;
  commands: BotCommand[];
}

/** Default first name of an emulated user: a readable stand-in for a real profile. */
export function defaultUser(id: number): User {
  return { id, is_bot: false, first_name: `User${id}`, language_code: "en" };
}

export function makeChat(id: number, kind: ChatKind, user?: User): Chat {
  switch (kind) {
    case "private":
      return { id, type: "private", first_name: user?.first_name ?? `User${id}`, ...(user?.username ? { username: user.username } : {}) };
    case "group":
      return { id, type: "group", title: `Group ${id}` };
    case "supergroup":
      return { id, type: "supergroup", title: `Supergroup ${id}` };
    case "channel":
      return { id, type: "channel", title: `Channel ${id}` };
  }
}

export class ChatRegistry {
  private readonly chats = new Map<number, ChatRecord>();

  constructor(private readonly historyLimit: number) {}

  get(chatId: number): ChatRecord | undefined {
    return this.chats.get(chatId);
  }

  has(chatId: number): boolean {
    return this.chats.has(chatId);
  }

  ids(): number[] {
    return [...this.chats.keys()];
  }

  get size(): number {
    return this.chats.size;
  }

  ensure(chatId: number, kind: ChatKind, user?: User): ChatRecord {
    let record = this.chats.get(chatId);
    if (!record) {
      record = { chat: makeChat(chatId, kind, user), kind, blocked: false, deactivated: false, lastMessageId: 0, messages: new Map(), actions: [] };
      this.chats.set(chatId, record);
    }
    return record;
  }

  /** Stores a new message under the chat's next id; older ones beyond `historyLimit` are forgotten. */
  addMessage(record: ChatRecord, build: (messageId: number) => Message): Message {
    const message = build(++record.lastMessageId);
    record.messages.set(message.message_id, message);
    if (record.messages.size > this.historyLimit) {
      const oldest = record.messages.keys().next().value;
      if (oldest !== undefined) record.messages.delete(oldest);
    }
    return message;
  }
}

export class CallbackQueries {
  private readonly queries = new Map<string, CallbackQueryRecord>();
  private counter = 0;

  create(chatId: number, messageId: number, data: string, now: number): CallbackQueryRecord {
    // Telegram's ids are long decimal strings; keep the shape so nothing depends on them being short.
    const id = `${4_000_000_000_000_000_000n + BigInt(++this.counter)}`;
    const record: CallbackQueryRecord = { id, chatId, messageId, data, createdAt: now, answered: false };
    this.queries.set(id, record);
    return record;
  }

  get(id: string): CallbackQueryRecord | undefined {
    return this.queries.get(id);
  }

  all(): CallbackQueryRecord[] {
    return [...this.queries.values()];
  }
}

export function commandListKey(scope: Record<string, unknown>, languageCode: string): string {
  const ordered = Object.keys(scope).sort().map((key) => [key, scope[key]]);
  return `${JSON.stringify(ordered)}|${languageCode}`;
}
