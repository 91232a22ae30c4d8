/**
 * A Telegram message as readable terminal text: bold as ANSI bold (or **x** when the output is
 * not a terminal), italic and underline likewise, links as "text <url>", buttons numbered
 * "[1] Full text  [2] Quotes" so that typing the number presses them.
 */
import type { InlineKeyboardMarkup, Message, MessageEntity } from "grammy/types";

export interface Style {
  /** ANSI escapes (a terminal) or plain markers (a pipe, a file, a test). */
  ansi: boolean;
}

interface Marker {
  at: number;
  /** Closing markers sort before opening ones at the same position. */
  closing: boolean;
  /** Nesting depth for ordering: outer entities open first and close last. */
  order: number;
  text: string;
}

function markersFor(entity: MessageEntity, index: number, style: Style): Marker[] {
  const start = entity.offset;
  const end = entity.offset + entity.length;
  const pair = (open: string, close: string): Marker[] => [
    { at: start, closing: false, order: index, text: open },
    { at: end, closing: true, order: index, text: close },
  ];
  switch (entity.type) {
    case "bold":
      return style.ansi ? pair("\x1b[1m", "\x1b[22m") : pair("**", "**");
    case "italic":
      return style.ansi ? pair("\x1b[3m", "\x1b[23m") : pair("_", "_");
    case "underline":
      return style.ansi ? pair("\x1b[4m", "\x1b[24m") : [];
    case "strikethrough":
      return style.ansi ? pair("\x1b[9m", "\x1b[29m") : pair("~", "~");
    case "code":
    case "pre":
      return pair("`", "`");
    case "text_link":
      return [{ at: end, closing: true, order: index, text: ` <${entity.url}>` }];
    default:
      return [];
  }
}

/** `text` with its entities shown as terminal markup. */
export function formatEntities(text: string, entities: readonly MessageEntity[] | undefined, style: Style): string {
  if (!entities || entities.length === 0) return text;
  // Outer entities first: by offset, then longer first.
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const markers = sorted.flatMap((e, i) => markersFor(e, i, style));
  markers.sort((a, b) => {
    if (a.at !== b.at) return a.at - b.at;
    if (a.closing !== b.closing) return a.closing ? -1 : 1;
    // Among closings the inner (later-opened) closes first; among openings the outer opens first.
    return a.closing ? b.order - a.order : a.order - b.order;
  });
  let out = "";
  let position = 0;
  for (const marker of markers) {
    out += text.slice(position, marker.at) + marker.text;
    position = marker.at;
  }
  return out + text.slice(position);
}

export interface NumberedButton {
  number: number;
  messageId: number;
  data: string;
}

/**
 * A message as terminal lines; its callback buttons get the next free numbers (pushed to
 * `buttons`). URL buttons are shown with their link.
 */
export function formatMessage(message: Message, buttons: NumberedButton[], style: Style): string {
  const lines: string[] = [];
  const photo = "photo" in message && message.photo ? message.photo : undefined;
  if (photo) lines.push(`[photo]`);
  const text = message.text ?? message.caption ?? "";
  const entities = message.entities ?? message.caption_entities;
  if (text) lines.push(formatEntities(text, entities, style));
  const keyboard = (message.reply_markup as InlineKeyboardMarkup | undefined)?.inline_keyboard ?? [];
  for (const row of keyboard) {
    const cells: string[] = [];
    for (const button of row) {
      if ("callback_data" in button && button.callback_data !== undefined) {
        const number = buttons.length + 1;
        buttons.push({ number, messageId: message.message_id, data: button.callback_data });
        cells.push(`[${number}] ${button.text}`);
      } else if ("url" in button && button.url) {
        cells.push(`[${button.text} <${button.url}>]`);
      }
    }
    if (cells.length > 0) lines.push(cells.join("   "));
  }
  return lines.join("\n");
}
