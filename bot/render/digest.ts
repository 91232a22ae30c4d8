/**
 * A Digest as Telegram messages: a bold header, then numbered items (title link, outlet and local
 * time, lead, the expert quote with name and role), "…and N more → /latest" when capped. Items are
 * packed into as few messages as fit in 4096 UTF-16 units (usually one); each message carries the
 * Full text / Quotes buttons of the items it shows, with the callback_data the bot's /latest
 * buttons use, so one handler serves both.
 */
import { FormattedString, fmt } from "@grammyjs/parse-mode";
import type { InlineKeyboardMarkup, MessageEntity } from "grammy/types";
import type { Digest, DigestItem } from "../../digest/index.js";
import { joinFormatted, splitFormatted, telegramLinkUrl, MESSAGE_LIMIT } from "../render.js";
import { encodeAction } from "../views/callback-data.js";
import { truncate } from "../views/text.js";
import type { Translate } from "./digest-strings.js";

/** One sendMessage worth: what the outbox stores and the delivery worker sends as is. */
export interface DigestMessage {
  text: string;
  entities: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
}

export interface RenderedDigest {
  messages: DigestMessage[];
}

// Bounds per item keep ten items near one message and any item far below 4096 on its own.
const MAX_TITLE_CHARS = 200;
const MAX_NAME_CHARS = 60;
const MAX_ROLE_CHARS = 100;
const MAX_SOURCE_CHARS = 60;
const ITEM_SEPARATOR = "\n\n";

/** `t` speaks the subscriber group's language (the `digest-*` keys of bot/locales). */
export function renderDigest(digest: Digest, t: Translate, limit = MESSAGE_LIMIT): RenderedDigest {
  const header = FormattedString.bold(t("digest-header", { date: digest.header.date, count: digest.header.count }));
  const blocks: Array<{ text: FormattedString; buttons: Button[] }> = [{ text: header, buttons: [] }];
  digest.items.forEach((item, index) => {
    const n = index + 1;
    blocks.push({ text: itemText(n, item), buttons: itemButtons(n, item, t) });
  });
  if (digest.more > 0) blocks.push({ text: new FormattedString(t("digest-more", { count: digest.more })), buttons: [] });
  return { messages: pack(blocks, limit) };
}

interface Button {
  text: string;
  callback_data: string;
}

function itemText(n: number, item: DigestItem): FormattedString {
  const title = truncate(item.title, MAX_TITLE_CHARS);
  const url = telegramLinkUrl(item.url);
  const titleText = url && title ? FormattedString.link(title, url) : new FormattedString(title);
  const lines: FormattedString[] = [fmt`${n}. ${FormattedString.bold(titleText)}`];
  const meta = [truncate(item.source, MAX_SOURCE_CHARS), item.localTime].filter((part) => part !== "").join(" · ");
  if (meta) lines.push(new FormattedString(meta));
  if (item.lead) lines.push(new FormattedString(item.lead));
  if (item.quote) {
    const { quote } = item;
    const name = FormattedString.bold(truncate(quote.speaker, MAX_NAME_CHARS));
    const role = truncate(quote.role, MAX_ROLE_CHARS);
    const speaker = role ? fmt`${name}, ${role}` : name;
    // Direct speech inside quotation marks, reported speech bare: the reader sees which it is.
    const words = quote.kind === "direct" ? `“${quote.text}”` : quote.text;
    lines.push(fmt`💬 ${speaker}: ${words}`);
  }
  return joinFormatted(lines, "\n");
}

function itemButtons(n: number, item: DigestItem, t: Translate): Button[] {
  const buttons: Button[] = [
    { text: t("digest-full-button", { n }), callback_data: encodeAction({ kind: "full", articleId: item.articleId }) },
  ];
  // The quotes page lists experts' quotes; an item without an expert quote would open an empty page.
  if (item.quote) {
    buttons.push({
      text: t("digest-quotes-button", { n }),
      callback_data: encodeAction({ kind: "article-quotes", articleId: item.articleId, offset: 0, open: true }),
    });
  }
  return buttons;
}

/** Blocks joined greedily into messages under `limit`; a block too long alone is split on its own. */
function pack(blocks: ReadonlyArray<{ text: FormattedString; buttons: Button[] }>, limit: number): DigestMessage[] {
  const messages: DigestMessage[] = [];
  let parts: FormattedString[] = [];
  let rows: Button[][] = [];
  let length = 0;
  const flush = (): void => {
    if (parts.length === 0) return;
    const text = joinFormatted(parts, ITEM_SEPARATOR);
    messages.push(toMessage(text, rows));
    parts = [];
    rows = [];
    length = 0;
  };
  for (const block of blocks) {
    const size = block.text.rawText.length;
    if (size > limit) {
      flush();
      const pieces = splitFormatted(block.text, limit);
      pieces.forEach((piece, i) => messages.push(toMessage(piece, i === pieces.length - 1 && block.buttons.length ? [block.buttons] : [])));
      continue;
    }
    if (parts.length > 0 && length + ITEM_SEPARATOR.length + size > limit) flush();
    length += (parts.length > 0 ? ITEM_SEPARATOR.length : 0) + size;
    parts.push(block.text);
    if (block.buttons.length > 0) rows.push(block.buttons);
  }
  flush();
  return messages;
}

function toMessage(text: FormattedString, rows: Button[][]): DigestMessage {
  const message: DigestMessage = { text: text.rawText, entities: text.rawEntities.map((e) => ({ ...e })) };
  if (rows.length > 0) message.reply_markup = { inline_keyboard: rows.map((row) => row.map((b) => ({ ...b }))) };
  return message;
}
