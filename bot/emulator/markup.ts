/**
 * reply_markup rules: inline keyboards (one action per button, callback_data 1..64 bytes, http(s)
 * or tg links, at most 100 buttons) and the reply-keyboard variants, checked like Telegram does.
 */
import { isAllowedLink } from "./entities.js";

export const MAX_INLINE_BUTTONS = 100;
export const MAX_CALLBACK_DATA_BYTES = 64;
export const MAX_MARKUP_JSON_LENGTH = 10_240;

const INLINE_ACTIONS = [
  "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
] as const;

/** The Telegram error description (without "Bad Request: ") for a bad markup, or null when valid. */
export function checkReplyMarkup(markup: unknown): string | null {
  if (typeof markup !== "object" || markup === null || Array.isArray(markup)) {
    return "can't parse reply keyboard markup JSON object";
  }
  const record = markup as Record<string, unknown>;
  if ("inline_keyboard" in record) return checkInlineKeyboard(record.inline_keyboard);
  if ("keyboard" in record) return checkReplyKeyboard(record.keyboard);
  if (record.remove_keyboard === true || record.force_reply === true) return null;
  return "can't parse reply keyboard markup JSON object";
}

function checkInlineKeyboard(rows: unknown): string | null {
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    return "field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays";
  }
  let count = 0;
  for (const row of rows as unknown[][]) {
    for (const button of row) {
      count++;
      const problem = checkInlineButton(button);
      if (problem) return problem;
    }
  }
  if (count > MAX_INLINE_BUTTONS) return "reply markup is too long";
  // Telegram also refuses keyboards whose JSON passes about 10 kB, whatever the button count.
  if (JSON.stringify(rows).length > MAX_MARKUP_JSON_LENGTH) return "reply markup is too long";
  return null;
}

function checkInlineButton(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null) return "can't parse inline keyboard button: InlineKeyboardButton must be an Object";
  const button = raw as Record<string, unknown>;
  if (typeof button.text !== "string" || button.text.trim().length === 0) return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
  const actions = INLINE_ACTIONS.filter((action) => button[action] !== undefined);
  if (actions.length === 0) return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
  if (actions.length > 1) return `can't parse inline keyboard button: a button must have exactly one action, got ${actions.join(", ")}`;
  if (button.callback_data !== undefined) {
    const data = button.callback_data;
    if (typeof data !== "string") return "BUTTON_DATA_INVALID";
    const bytes = Buffer.byteLength(data, "utf8");
    if (bytes < 1 || bytes > MAX_CALLBACK_DATA_BYTES) return "BUTTON_DATA_INVALID";
  }
  if (button.url !== undefined && (typeof button.url !== "string" || !isAllowedLink(button.url))) return "BUTTON_URL_INVALID";
  return null;
}

function checkReplyKeyboard(rows: unknown): string | null {
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    return "field \"keyboard\" of the ReplyKeyboardMarkup should be an Array of Arrays";
  }
  for (const row of rows as unknown[][]) {
    for (const button of row) {
      const text = typeof button === "string" ? button : (button as { text?: unknown } | null)?.text;
      if (typeof text !== "string" || text.length === 0) return "can't parse keyboard button: text is empty";
    }
  }
  return null;
}
