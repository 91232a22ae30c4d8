/**
 * Telegram's rules for message entities, as pure functions: what a bot may pass in `entities` /
 * `caption_entities`, and how Telegram trims a text and clips its entities. Shared by the HTML
 * parser (its output must pass the same rules) and by the renderer's property test.
 */
import type { MessageEntity } from "grammy/types";

/** Formatting entities: may contain, and be part of, any other entity except pre and code. */
const FORMATTING_TYPES = new Set(["bold", "italic", "underline", "strikethrough", "spoiler"]);
const BLOCKQUOTE_TYPES = new Set(["blockquote", "expandable_blockquote"]);
const CODE_TYPES = new Set(["code", "pre"]);

export const ENTITY_TYPES: ReadonlySet<string> = new Set([
  "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number",
  "bold", "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
  "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
]);

const DATE_TIME_FORMAT = /^(r|w?[dD]?[tT]?)$/;

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Index of the first unpaired surrogate, or -1. Such a string has no UTF-8 form, so Telegram
 * refuses it ("strings must be encoded in UTF-8") — the mark of text split inside an emoji.
 */
export function findLoneSurrogate(text: string): number {
  const match = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  return match ? match.index : -1;
}

/** True when a UTF-16 index falls between the two halves of a surrogate pair. */
export function splitsSurrogatePair(text: string, index: number): boolean {
  return index > 0 && index < text.length &&
    isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index));
}

/**
 * The links Telegram accepts for a text_link or a url button. Telegram also accepts a bare domain
 * and fills in http://; the emulator is stricter on purpose: a link without a scheme is a renderer bug.
 */
export function isAllowedLink(url: string): boolean {
  // A digest repeats the same links to every subscriber; URL parsing is the costly part.
  const known = linkVerdicts.get(url);
  if (known !== undefined) return known;
  const verdict = checkLink(url);
  if (linkVerdicts.size >= 10_000) linkVerdicts.clear();
  linkVerdicts.set(url, verdict);
  return verdict;
}

const linkVerdicts = new Map<string, boolean>();

function checkLink(url: string): boolean {
  if (url.length === 0 || url.length > 2048 || /\s/.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === "tg:") return parsed.host.length > 0 || parsed.pathname.length > 0;
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  return parsed.hostname.length > 0;
}

function describe(entity: { type: string; offset: number; length: number }): string {
  return `"${entity.type}" entity at offset ${entity.offset} with length ${entity.length}`;
}

interface CheckedEntity {
  type: string;
  offset: number;
  length: number;
  end: number;
}

/** Sort rank for entities sharing one range: containers first, so `<b><code>x</code></b>` is legal. */
function containerRank(type: string): number {
  if (BLOCKQUOTE_TYPES.has(type)) return 0;
  if (FORMATTING_TYPES.has(type)) return 1;
  if (CODE_TYPES.has(type)) return 3;
  return 2;
}

/** Telegram's order: by offset, longer (outer) first. */
export function compareEntities(
  a: { type: string; offset: number; length: number },
  b: { type: string; offset: number; length: number },
): number {
  return a.offset - b.offset || b.length - a.length || containerRank(a.type) - containerRank(b.type);
}

function checkFields(text: string, raw: unknown, index: number, problems: string[]): CheckedEntity | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push(`entity ${index} is not an object`);
    return null;
  }
  const entity = raw as Record<string, unknown>;
  const { type, offset, length } = entity;
  if (typeof type !== "string" || !ENTITY_TYPES.has(type)) {
    problems.push(`entity ${index} has unsupported type ${JSON.stringify(type)}`);
    return null;
  }
  if (typeof offset !== "number" || !Number.isInteger(offset) || typeof length !== "number" || !Number.isInteger(length)) {
    problems.push(`entity ${index} ("${type}") needs integer offset and length`);
    return null;
  }
  const checked = { type, offset, length, end: offset + length };
  if (offset < 0) problems.push(`${describe(checked)} starts before the text`);
  else if (length <= 0) problems.push(`${describe(checked)} is empty`);
  else if (checked.end > text.length) {
    problems.push(`${describe(checked)} ends after the text end (text length ${text.length} UTF-16 code units)`);
  } else if (splitsSurrogatePair(text, offset) || splitsSurrogatePair(text, checked.end)) {
    problems.push(`${describe(checked)} splits a surrogate pair`);
  } else {
    checkTypeFields(entity, checked, problems);
    return checked;
  }
  return null;
}

function checkTypeFields(entity: Record<string, unknown>, checked: CheckedEntity, problems: string[]): void {
  switch (checked.type) {
    case "text_link":
      if (typeof entity.url !== "string" || !isAllowedLink(entity.url)) {
        problems.push(`${describe(checked)} has an invalid URL ${JSON.stringify(entity.url)} (need http, https or tg)`);
      }
      break;
    case "text_mention": {
      const user = entity.user as Record<string, unknown> | undefined;
      if (typeof user !== "object" || user === null || !Number.isInteger(user.id)) {
        problems.push(`${describe(checked)} needs a user with an integer id`);
      }
      break;
    }
    case "custom_emoji":
      if (typeof entity.custom_emoji_id !== "string" || !/^\d+$/.test(entity.custom_emoji_id)) {
        problems.push(`${describe(checked)} needs a numeric custom_emoji_id`);
      }
      break;
    case "pre":
      if (entity.language !== undefined && typeof entity.language !== "string") {
        problems.push(`${describe(checked)} has a non-string language`);
      }
      break;
    case "date_time":
      if (!Number.isInteger(entity.unix_time)) problems.push(`${describe(checked)} needs an integer unix_time`);
      if (entity.date_time_format !== undefined &&
        (typeof entity.date_time_format !== "string" || !DATE_TIME_FORMAT.test(entity.date_time_format))) {
        problems.push(`${describe(checked)} has an invalid date_time_format`);
      }
      break;
  }
}

/** Why `inner` may not sit inside `outer`, or null when Telegram allows it. */
function nestingProblem(outer: CheckedEntity, inner: CheckedEntity): string | null {
  if (CODE_TYPES.has(outer.type)) return `${describe(inner)} can't be inside ${describe(outer)}`;
  if (BLOCKQUOTE_TYPES.has(outer.type) && BLOCKQUOTE_TYPES.has(inner.type)) {
    return `blockquotes can't be nested: ${describe(inner)} is inside ${describe(outer)}`;
  }
  if (FORMATTING_TYPES.has(outer.type) || FORMATTING_TYPES.has(inner.type)) return null;
  if (BLOCKQUOTE_TYPES.has(outer.type)) return null;
  return `${describe(inner)} can't be inside ${describe(outer)}`;
}

/**
 * Every way `entities` breaks Telegram's rules for `text` (offsets and lengths in UTF-16 code
 * units). An empty array means Telegram shows them exactly as given.
 */
export function checkEntities(text: string, entities: readonly unknown[]): string[] {
  const problems: string[] = [];
  if (!Array.isArray(entities)) return ["entities must be an array"];
  const lone = findLoneSurrogate(text);
  if (lone !== -1) problems.push(`the text has an unpaired surrogate at offset ${lone} (not valid UTF-8)`);
  const checked: CheckedEntity[] = [];
  entities.forEach((raw, index) => {
    const entity = checkFields(text, raw, index, problems);
    if (entity) checked.push(entity);
  });
  checked.sort(compareEntities);
  const open: CheckedEntity[] = [];
  for (const entity of checked) {
    while (open.length > 0 && open[open.length - 1]!.end <= entity.offset) open.pop();
    const parent = open[open.length - 1];
    if (parent && entity.end > parent.end) {
      problems.push(`${describe(entity)} partially overlaps ${describe(parent)}`);
      continue;
    }
    for (const ancestor of open) {
      const problem = nestingProblem(ancestor, entity);
      if (problem) {
        problems.push(problem);
        break;
      }
    }
    open.push(entity);
  }
  return problems;
}

/** tdlib trims ASCII whitespace only; a leading U+3000 or NBSP stays and counts toward the limit. */
const TRIMMED = /[ \t\r\n\v\0]/;

/**
 * Telegram strips leading and trailing whitespace from a message text and clips the entities to
 * what is left; entities left empty disappear.
 */
export function trimFormattedText<E extends { offset: number; length: number }>(
  text: string,
  entities: readonly E[],
): { text: string; entities: E[] } {
  let start = 0;
  let end = text.length;
  while (start < end && TRIMMED.test(text[start]!)) start++;
  while (end > start && TRIMMED.test(text[end - 1]!)) end--;
  if (start === 0 && end === text.length) return { text, entities: [...entities] };
  const clipped: E[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) clipped.push({ ...entity, offset: from - start, length: to - from });
  }
  return { text: text.slice(start, end), entities: clipped };
}

/** Entities a Telegram client detects in a user's message: a leading /command (with @botname). */
export function detectBotCommand(text: string): MessageEntity[] {
  const match = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?/.exec(text);
  return match ? [{ type: "bot_command", offset: 0, length: match[0].length }] : [];
}
