/**
 * Turns a request's text (or caption) with `parse_mode` or an entities array into what Telegram
 * stores, enforcing the formatting and length rules with Telegram's error texts.
 */
import type { MessageEntity } from "grammy/types";
import { checkEntities, compareEntities, findLoneSurrogate, trimFormattedText } from "./entities.js";
import { badRequest } from "./errors.js";
import { parseTelegramHtml } from "./html.js";

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/** Keeps only the fields the Bot API defines for each entity type, as Telegram echoes them. */
function normalizeEntity(raw: Record<string, unknown>): MessageEntity {
  const base = { type: raw.type, offset: raw.offset, length: raw.length } as Record<string, unknown>;
  switch (raw.type) {
    case "text_link": base.url = raw.url; break;
    case "text_mention": base.user = raw.user; break;
    case "custom_emoji": base.custom_emoji_id = raw.custom_emoji_id; break;
    case "pre": if (typeof raw.language === "string" && raw.language) base.language = raw.language; break;
    case "date_time":
      base.unix_time = raw.unix_time;
      if (raw.date_time_format !== undefined) base.date_time_format = raw.date_time_format;
      break;
  }
  return base as unknown as MessageEntity;
}

/**
 * @param kind "text" for messages (1..4096 after parsing), "caption" for media (0..1024).
 * @throws ApiError (400, a violation) when Telegram would refuse the request.
 */
export function formatText(
  kind: "text" | "caption",
  raw: string | undefined,
  parseMode: string | undefined,
  entities: unknown,
): FormattedText {
  const source = raw ?? "";
  if (kind === "text" && source.length === 0) throw badRequest("message text is empty");
  if (findLoneSurrogate(source) !== -1) throw badRequest("strings must be encoded in UTF-8");
  // The Bot API server reads parse_mode first (case-insensitively, "none" = unset) and then
  // ignores entities entirely; sending both is a bug the emulator refuses.
  const mode = (parseMode ?? "").toLowerCase();
  const entitiesName = kind === "text" ? "entities" : "caption_entities";
  if (mode !== "" && mode !== "none" && entities !== undefined) {
    throw badRequest(`can't parse entities: both parse_mode "${parseMode}" and ${entitiesName} given; Telegram would parse the text and drop the ${entitiesName}`);
  }
  let parsed: FormattedText;
  if (mode === "" || mode === "none") {
    if (entities !== undefined && !Array.isArray(entities)) throw badRequest(`can't parse entities: ${entitiesName} must be an Array`);
    const list = (entities ?? []) as unknown[];
    const problems = checkEntities(source, list);
    if (problems.length > 0) throw badRequest(`can't parse entities: ${problems[0]}`);
    const normalized = (list as Record<string, unknown>[]).map(normalizeEntity).sort(compareEntities);
    parsed = trimFormattedText(source, normalized);
  } else if (mode === "html") {
    const result = parseTelegramHtml(source);
    if ("error" in result) throw badRequest(`can't parse entities: ${result.error}`);
    parsed = result;
  } else if (mode === "markdownv2" || mode === "markdown") {
    // Deliberately unsupported: the bot sends entities or HTML; Markdown escaping is where bots break.
    throw badRequest(`can't parse entities: parse_mode "${parseMode}" is not supported by the emulator; send entities or HTML`);
  } else {
    throw badRequest("unsupported parse_mode");
  }
  if (kind === "text") {
    if (parsed.text.length === 0) throw badRequest("message text is empty");
    if (parsed.text.length > MAX_TEXT_LENGTH) throw badRequest("message is too long");
  } else if (parsed.text.length > MAX_CAPTION_LENGTH) {
    throw badRequest("message caption is too long");
  }
  return parsed;
}
