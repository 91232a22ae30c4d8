/**
 * The Bot API methods the emulator serves. Each validates its parameters first (400s are
 * violations), then the target chat (chat not found, 403, 429), then acts and returns what the
 * real Bot API returns.
 */
import { createHash } from "node:crypto";
import type { BotCommand, InlineKeyboardMarkup, Message, MessageEntity, PhotoSize } from "grammy/types";
import type { EmulatorCore } from "./core.js";
import { ApiError, badRequest } from "./errors.js";
import { isAllowedLink } from "./entities.js";
import { checkReplyMarkup } from "./markup.js";
import {
  optionalBoolean, optionalInteger, optionalJson, optionalString, requireChatId, type RequestParams,
} from "./params.js";
import type { PollRequest, UpdateDelivery } from "./polling.js";
import { commandListKey, type ChatRecord } from "./state.js";
import { formatText, type FormattedText } from "./text.js";

export interface MethodContext {
  core: EmulatorCore;
  delivery: UpdateDelivery;
  /** The HTTP connection of this call, for long polling; absent for webhook replies. */
  connection?: Pick<PollRequest, "closed" | "isClosed">;
}

export type MethodHandler = (params: RequestParams, context: MethodContext) => unknown;

const CALLBACK_QUERY_LIFETIME_MS = 15 * 60 * 1000;
const DELETE_WINDOW_MS = 48 * 60 * 60 * 1000;
const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
  "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);
const COMMAND_SCOPES = new Set([
  "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators", "chat_member",
]);

function replyMarkupParam(params: RequestParams): InlineKeyboardMarkup | Record<string, unknown> | undefined {
  const markup = optionalJson(params, "reply_markup", "reply keyboard markup");
  if (markup === undefined) return undefined;
  const problem = checkReplyMarkup(markup);
  if (problem) throw badRequest(problem);
  return markup as Record<string, unknown>;
}

/** Telegram echoes only inline keyboards in the Message it returns. */
function inlineKeyboardOf(markup: unknown): InlineKeyboardMarkup | undefined {
  return typeof markup === "object" && markup !== null && "inline_keyboard" in markup ? (markup as InlineKeyboardMarkup) : undefined;
}

function textParam(params: RequestParams, kind: "text" | "caption"): FormattedText {
  const entitiesName = kind === "text" ? "entities" : "caption_entities";
  return formatText(
    kind,
    optionalString(params, kind),
    optionalString(params, "parse_mode"),
    optionalJson(params, entitiesName, "entities"),
  );
}

function replyTarget(params: RequestParams, record: ChatRecord): Message | undefined {
  const reply = optionalJson(params, "reply_parameters", "reply parameters") as
    | { message_id?: unknown; allow_sending_without_reply?: unknown; chat_id?: unknown }
    | undefined;
  const messageId = reply?.message_id ?? optionalInteger(params, "reply_to_message_id");
  if (messageId === undefined) return undefined;
  const target = typeof messageId === "number" ? record.messages.get(messageId) : undefined;
  if (!target && reply?.allow_sending_without_reply !== true) throw badRequest("message to be replied not found");
  return target;
}

function withText(message: Message, formatted: FormattedText, field: "text" | "caption"): void {
  const target = message as unknown as Record<string, unknown>;
  target[field] = formatted.text;
  const entitiesField = field === "text" ? "entities" : "caption_entities";
  if (formatted.entities.length > 0) target[entitiesField] = formatted.entities;
  else delete target[entitiesField];
}

function newBotMessage(core: EmulatorCore, record: ChatRecord, fill: (message: Message) => void, replyTo: Message | undefined, markup: unknown): Message {
  const message = core.chats.addMessage(record, (message_id) => {
    const built = { message_id, from: core.botUser, chat: record.chat, date: core.nowSeconds() } as Message;
    if (record.kind === "channel") {
      delete (built as { from?: unknown }).from;
      (built as { sender_chat?: unknown }).sender_chat = record.chat;
    }
    fill(built);
    if (replyTo) (built as { reply_to_message?: Message }).reply_to_message = replyTo;
    const keyboard = inlineKeyboardOf(markup);
    if (keyboard) built.reply_markup = keyboard;
    return built;
  });
  core.markFromBot(message);
  core.countSent(record.chat.id);
  core.emit({ kind: "sent", chatId: record.chat.id, message });
  return message;
}

/** A photo's sizes, with ids derived from its source so the same photo keeps its file_id. */
function photoSizes(core: EmulatorCore, source: string): PhotoSize[] {
  const digest = createHash("sha256").update(source).digest("base64url");
  return [
    { width: 90, height: 60, file_size: 1_200 },
    { width: 320, height: 213, file_size: 14_000 },
    { width: 800, height: 533, file_size: 61_000 },
  ].map((size, index) => {
    const file_id = `AgACAgIAAxkBAA${digest.slice(0, 24)}${index}`;
    core.files.set(file_id, source);
    return { ...size, file_id, file_unique_id: `AQAD${digest.slice(24, 34)}${index}` };
  });
}

/** Where a file parameter comes from: an upload (attach:// or a part of that name), a URL or a file_id. */
function fileSource(core: EmulatorCore, params: RequestParams, field: "photo" | "document"): string {
  const value = params.values[field];
  const uploaded = params.files.get(field);
  if (typeof value === "string" && value.startsWith("attach://")) {
    const file = params.files.get(value.slice("attach://".length));
    if (!file) throw badRequest(`file "${value}" was not attached`);
    if (file.size === 0) throw badRequest("file must be non-empty");
    return `upload:${file.filename}:${file.size}`;
  }
  if (uploaded) return `upload:${uploaded.filename}:${uploaded.size}`;
  if (typeof value !== "string" || value.length === 0) throw badRequest(`there is no ${field} in the request`);
  if (/^https?:\/\//i.test(value)) {
    if (!isAllowedLink(value)) throw badRequest("wrong HTTP URL specified");
    return value;
  }
  // A file_id is only valid if Telegram issued it: here, if the emulator returned it earlier.
  const known = core.files.get(value);
  if (known === undefined) throw badRequest("wrong file identifier/HTTP URL specified");
  return known;
}

function documentOf(core: EmulatorCore, source: string): NonNullable<Message["document"]> {
  const digest = createHash("sha256").update(source).digest("base64url");
  const name = source.startsWith("upload:") ? source.split(":")[1]! : (source.split("/").pop() ?? "file");
  const file_id = `BQACAgIAAxkBAA${digest.slice(0, 24)}`;
  core.files.set(file_id, source);
  return { file_id, file_unique_id: `AgAD${digest.slice(24, 34)}`, file_name: name };
}

function sameEntities(a: readonly MessageEntity[] | undefined, b: readonly MessageEntity[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

function sameMarkup(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

const NOT_MODIFIED = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

function editTarget(params: RequestParams, context: MethodContext, method: string): { record: ChatRecord; message: Message } {
  if (params.values.inline_message_id !== undefined) throw badRequest("inline messages are not supported by the emulator");
  const chatId = requireChatId(params);
  const messageId = optionalInteger(params, "message_id");
  const record = context.core.targetChat(chatId, method);
  const message = context.core.findMessage(record, messageId, "message to edit not found");
  if (!context.core.isFromBot(message)) throw badRequest("message can't be edited");
  return { record, message };
}

function replaceMessage(core: EmulatorCore, record: ChatRecord, updated: Message): Message {
  (updated as { edit_date?: number }).edit_date = core.nowSeconds();
  core.markFromBot(updated);
  record.messages.set(updated.message_id, updated);
  core.emit({ kind: "edited", chatId: record.chat.id, message: updated });
  return updated;
}

function checkCommands(raw: unknown): BotCommand[] {
  if (!Array.isArray(raw)) throw badRequest("can't parse commands JSON object");
  if (raw.length > 100) throw badRequest("BOT_COMMANDS_TOO_MUCH");
  for (const command of raw as Array<Record<string, unknown>>) {
    if (typeof command?.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command.command)) {
      throw badRequest("BOT_COMMAND_INVALID");
    }
    const description = command.description;
    if (typeof description !== "string" || description.trim().length === 0) {
      throw badRequest("command description must be non-empty");
    }
    if (description.length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
  }
  return (raw as BotCommand[]).map(({ command, description }) => ({ command, description }));
}

function commandScope(params: RequestParams): { key: string; scope: Record<string, unknown>; language: string } {
  const scope = (optionalJson(params, "scope", "scope") ?? { type: "default" }) as Record<string, unknown>;
  if (typeof scope !== "object" || scope === null || !COMMAND_SCOPES.has(String(scope.type))) {
    throw badRequest("unsupported bot command scope");
  }
  const language = optionalString(params, "language_code") ?? "";
  if (language !== "" && !/^[a-z]{2}$/.test(language)) throw badRequest("invalid language code specified");
  return { key: commandListKey(scope, language), scope, language };
}

function botTextKey(params: RequestParams, field: string): string {
  const language = optionalString(params, "language_code") ?? "";
  if (language !== "" && !/^[a-z]{2}$/.test(language)) throw badRequest("invalid language code specified");
  return `${field}|${language}`;
}

/** setMyDescription / setMyShortDescription / setMyName: a text per language, within its limit. */
function setBotText(core: EmulatorCore, params: RequestParams, field: string, maxLength: number): true {
  const value = optionalString(params, field) ?? "";
  if (value.length > maxLength) throw badRequest(`${field.toUpperCase()}_INVALID`);
  const key = botTextKey(params, field);
  if (value === "") core.botTexts.delete(key);
  else core.botTexts.set(key, value);
  return true;
}

export const METHODS: Record<string, MethodHandler> = {
  getme: (_params, { core }) => core.bot,

  logout: () => true,
  close: () => true,

  getupdates: (params, { delivery, connection }) => {
    const allowed = optionalJson(params, "allowed_updates", "allowed updates");
    if (allowed !== undefined && !Array.isArray(allowed)) throw badRequest("allowed_updates must be an Array");
    const request: PollRequest = {
      closed: connection?.closed ?? new Promise<void>(() => {}),
      isClosed: connection?.isClosed ?? (() => false),
    };
    const offset = optionalInteger(params, "offset");
    const limit = optionalInteger(params, "limit");
    const timeout = optionalInteger(params, "timeout");
    if (offset !== undefined) request.offset = offset;
    if (limit !== undefined) request.limit = limit;
    if (timeout !== undefined) request.timeoutSeconds = timeout;
    if (allowed !== undefined) request.allowedUpdates = allowed as string[];
    return delivery.getUpdates(request);
  },

  setwebhook: (params, { delivery }) => {
    const url = optionalString(params, "url") ?? "";
    const allowed = optionalJson(params, "allowed_updates", "allowed updates") as string[] | undefined;
    const dropPending = optionalBoolean(params, "drop_pending_updates") ?? false;
    if (url === "") return delivery.deleteWebhook(dropPending);
    return delivery.setWebhook(
      url, optionalString(params, "secret_token"), optionalInteger(params, "max_connections") ?? 40, allowed, dropPending,
    );
  },

  deletewebhook: (params, { delivery }) => delivery.deleteWebhook(optionalBoolean(params, "drop_pending_updates") ?? false),

  getwebhookinfo: (_params, { delivery }) => delivery.webhookInfo(),

  sendmessage: (params, { core }) => {
    const chatId = requireChatId(params);
    const formatted = textParam(params, "text");
    const markup = replyMarkupParam(params);
    const record = core.targetChat(chatId, "sendmessage");
    const replyTo = replyTarget(params, record);
    return newBotMessage(core, record, (message) => withText(message, formatted, "text"), replyTo, markup);
  },

  sendphoto: (params, { core }) => {
    const chatId = requireChatId(params);
    const source = fileSource(core, params, "photo");
    const caption = textParam(params, "caption");
    const markup = replyMarkupParam(params);
    const record = core.targetChat(chatId, "sendphoto");
    const replyTo = replyTarget(params, record);
    return newBotMessage(core, record, (message) => {
      message.photo = photoSizes(core, source);
      if (caption.text.length > 0) withText(message, caption, "caption");
    }, replyTo, markup);
  },

  senddocument: (params, { core }) => {
    const chatId = requireChatId(params);
    const source = fileSource(core, params, "document");
    const caption = textParam(params, "caption");
    const markup = replyMarkupParam(params);
    const record = core.targetChat(chatId, "senddocument");
    const replyTo = replyTarget(params, record);
    return newBotMessage(core, record, (message) => {
      message.document = documentOf(core, source);
      if (caption.text.length > 0) withText(message, caption, "caption");
    }, replyTo, markup);
  },

  setmydescription: (params, { core }) => setBotText(core, params, "description", 512),
  getmydescription: (params, { core }) => ({ description: core.botTexts.get(botTextKey(params, "description")) ?? "" }),
  setmyshortdescription: (params, { core }) => setBotText(core, params, "short_description", 120),
  getmyshortdescription: (params, { core }) => ({ short_description: core.botTexts.get(botTextKey(params, "short_description")) ?? "" }),
  setmyname: (params, { core }) => setBotText(core, params, "name", 64),
  getmyname: (params, { core }) => ({ name: core.botTexts.get(botTextKey(params, "name")) ?? core.bot.first_name }),

  editmessagetext: (params, context) => {
    const formatted = textParam(params, "text");
    const markup = replyMarkupParam(params);
    const { record, message } = editTarget(params, context, "editmessagetext");
    if (message.text === undefined) throw badRequest("there is no text in the message to edit");
    const keyboard = inlineKeyboardOf(markup);
    if (message.text === formatted.text && sameEntities(message.entities, formatted.entities) && sameMarkup(message.reply_markup, keyboard)) {
      throw badRequest(NOT_MODIFIED);
    }
    const updated = { ...message } as Message;
    withText(updated, formatted, "text");
    if (keyboard) updated.reply_markup = keyboard;
    else delete updated.reply_markup;
    return replaceMessage(context.core, record, updated);
  },

  editmessagecaption: (params, context) => {
    const caption = textParam(params, "caption");
    const markup = replyMarkupParam(params);
    const { record, message } = editTarget(params, context, "editmessagecaption");
    if (message.photo === undefined) throw badRequest("there is no caption in the message to edit");
    const keyboard = inlineKeyboardOf(markup);
    if ((message.caption ?? "") === caption.text && sameEntities(message.caption_entities, caption.entities) && sameMarkup(message.reply_markup, keyboard)) {
      throw badRequest(NOT_MODIFIED);
    }
    const updated = { ...message } as Message;
    if (caption.text.length > 0) withText(updated, caption, "caption");
    else {
      delete updated.caption;
      delete updated.caption_entities;
    }
    if (keyboard) updated.reply_markup = keyboard;
    else delete updated.reply_markup;
    return replaceMessage(context.core, record, updated);
  },

  editmessagereplymarkup: (params, context) => {
    const markup = replyMarkupParam(params);
    const { record, message } = editTarget(params, context, "editmessagereplymarkup");
    const keyboard = inlineKeyboardOf(markup);
    if (sameMarkup(message.reply_markup, keyboard)) throw badRequest(NOT_MODIFIED);
    const updated = { ...message } as Message;
    if (keyboard) updated.reply_markup = keyboard;
    else delete updated.reply_markup;
    return replaceMessage(context.core, record, updated);
  },

  deletemessage: (params, { core }) => {
    const chatId = requireChatId(params);
    const messageId = optionalInteger(params, "message_id");
    const record = core.targetChat(chatId, "deletemessage");
    const message = core.findMessage(record, messageId, "message to delete not found");
    if (core.now() - message.date * 1000 > DELETE_WINDOW_MS) throw badRequest("message can't be deleted for everyone");
    record.messages.delete(message.message_id);
    core.emit({ kind: "deleted", chatId: record.chat.id, messageId: message.message_id });
    return true;
  },

  answercallbackquery: (params, { core }) => {
    const id = optionalString(params, "callback_query_id");
    const text = optionalString(params, "text");
    const url = optionalString(params, "url");
    const showAlert = optionalBoolean(params, "show_alert");
    if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
    const query = id === undefined ? undefined : core.queries.get(id);
    if (!query || query.answered || core.now() - query.createdAt > CALLBACK_QUERY_LIFETIME_MS) {
      throw badRequest("query is too old and response timeout expired or query ID is invalid");
    }
    query.answered = true;
    query.answer = { ...(text !== undefined ? { text } : {}), ...(showAlert !== undefined ? { show_alert: showAlert } : {}), ...(url !== undefined ? { url } : {}) };
    core.emit({ kind: "callbackAnswered", chatId: query.chatId, queryId: query.id, ...(text !== undefined ? { text } : {}) });
    return true;
  },

  sendchataction: (params, { core }) => {
    const chatId = requireChatId(params);
    const action = optionalString(params, "action");
    if (action === undefined || !CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
    const record = core.targetChat(chatId, "sendchataction");
    record.actions.push({ action, at: core.now() });
    core.emit({ kind: "chatAction", chatId: record.chat.id, action });
    return true;
  },

  setmycommands: (params, { core }) => {
    const commands = checkCommands(optionalJson(params, "commands", "commands"));
    const { key, scope, language } = commandScope(params);
    core.commandLists.set(key, { scope, language_code: language, commands });
    return true;
  },

  getmycommands: (params, { core }) => core.commandLists.get(commandScope(params).key)?.commands ?? [],

  deletemycommands: (params, { core }) => {
    core.commandLists.delete(commandScope(params).key);
    return true;
  },

  setchatmenubutton: (params, { core }) => {
    const chatId = optionalInteger(params, "chat_id");
    const button = optionalJson(params, "menu_button", "menu button") ?? { type: "default" };
    const type = (button as { type?: unknown }).type;
    if (type !== "default" && type !== "commands" && type !== "web_app") throw badRequest("unsupported menu button type");
    if (chatId !== undefined) core.targetChat(chatId, "setchatmenubutton");
    core.menuButtons.set(chatId ?? "default", button);
    return true;
  },

  getchatmenubutton: (params, { core }) => {
    const chatId = optionalInteger(params, "chat_id");
    return core.menuButtons.get(chatId ?? "default") ?? core.menuButtons.get("default") ?? { type: "commands" };
  },

  getchat: (params, { core }) => {
    const record = core.chats.get(Number(requireChatId(params)));
    if (!record) throw new ApiError(400, "Bad Request: chat not found", false);
    return { ...record.chat, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false, gifts_from_channels: false } };
  },
};

/** Telegram spells methods in camelCase but matches them case-insensitively. */
export function findMethod(name: string): MethodHandler | undefined {
  return METHODS[name.toLowerCase()];
}
