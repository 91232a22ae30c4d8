/**
 * Telegram's `parse_mode: "HTML"`, reimplemented from the Bot API server's parser (tdlib
 * `parse_html`): the same tags, the same entity decoding, the same error texts with UTF-8 byte
 * offsets. Stricter than Telegram in three places, each a silent corruption on the real server:
 * a `&` that starts no entity (Telegram shows it literally, so `&nbsp;` reaches the user), an
 * `<a>` whose link Telegram would drop, and nesting Telegram would repair by dropping formatting
 * (e.g. `<code><b>x</b></code>`). Those return an error here.
 */
import type { MessageEntity } from "grammy/types";
import { checkEntities, compareEntities, findLoneSurrogate, isAllowedLink, trimFormattedText } from "./entities.js";

export type HtmlParseResult = { text: string; entities: MessageEntity[] } | { error: string };

export interface HtmlParseOptions {
  /** Reject a `&` that starts no entity (default true). false = Telegram's lenient behaviour. */
  strictAmpersand?: boolean;
}

const SUPPORTED_TAGS = new Set([
  "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "tg-time",
  "span", "pre", "code", "blockquote",
]);

const SIMPLE_TAG_ENTITY: Record<string, MessageEntity["type"]> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", s: "strikethrough", strike: "strikethrough",
  del: "strikethrough", u: "underline", ins: "underline", "tg-spoiler": "spoiler", span: "spoiler",
};

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/** tdlib's `is_space`; the end of the input counts as a space too. */
function isSpace(ch: string | undefined): boolean {
  return ch === undefined || ch === " " || ch === "\t" || ch === "\r" || ch === "\n" || ch === "\v" || ch === "\0";
}

function isAlpha(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z"));
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

function isHexDigit(ch: string | undefined): boolean {
  return isDigit(ch) || (ch !== undefined && ((ch >= "a" && ch <= "f") || (ch >= "A" && ch <= "F")));
}

function isNameTokenChar(ch: string | undefined): boolean {
  return isAlpha(ch) || isDigit(ch) || ch === "." || ch === "-";
}

/**
 * Decodes the HTML entity starting at `pos` (which holds `&`) like tdlib's `decode_html_entity`:
 * the four named ones and numeric ones, `;` optional. Returns null when none starts there.
 */
function decodeEntity(html: string, pos: number): { value: string; next: number } | null {
  let end = pos + 1;
  let codePoint = 0;
  if (html[end] === "#") {
    end++;
    const hex = html[end] === "x";
    if (hex) end++;
    const digitsStart = end;
    while (hex ? isHexDigit(html[end]) : isDigit(html[end])) {
      codePoint = codePoint * (hex ? 16 : 10) + parseInt(html[end]!, 16);
      end++;
      if (codePoint >= 0x10ffff) return null;
    }
    if (end === digitsStart || codePoint === 0 || end - pos >= 10) return null;
    // A lone surrogate is not a character; Telegram rejects the text as invalid UTF-8.
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) return null;
  } else {
    while (isAlpha(html[end])) end++;
    const named = NAMED_ENTITIES[html.slice(pos + 1, end)];
    if (named === undefined) return null;
    codePoint = named.codePointAt(0)!;
  }
  return { value: String.fromCodePoint(codePoint), next: html[end] === ";" ? end + 1 : end };
}

/** A quoted attribute value with entities decoded; an undecodable `&` stays as is (tdlib). */
function decodeAttribute(html: string, start: number, end: number): string {
  const firstAmpersand = html.indexOf("&", start);
  if (firstAmpersand === -1 || firstAmpersand >= end) return html.slice(start, end);
  const parts: string[] = [];
  let i = start;
  let plain = start;
  while (i < end) {
    if (html.charCodeAt(i) === 0x26) {
      const decoded = decodeEntity(html, i);
      if (decoded && decoded.next <= end) {
        parts.push(html.slice(plain, i), decoded.value);
        i = decoded.next;
        plain = i;
        continue;
      }
    }
    i++;
  }
  parts.push(html.slice(plain, end));
  return parts.join("");
}

interface OpenTag {
  name: string;
  /** href, code language, span class suffix, emoji id or unix time, depending on the tag. */
  argument: string;
  /** Second attribute some tags carry (tg-time format). */
  extra: string;
  expandable: boolean;
  offset: number;
  startIndex: number;
}

class HtmlSyntaxError extends Error {}

function byteOffset(html: string, index: number): number {
  return Buffer.byteLength(html.slice(0, index), "utf8");
}

/**
 * Parses Telegram-flavoured HTML into the text and entities Telegram would store (whitespace
 * trimmed), or `{ error }` with the description Telegram gives after "can't parse entities: ".
 */
export function parseTelegramHtml(html: string, options: HtmlParseOptions = {}): HtmlParseResult {
  const lone = findLoneSurrogate(html);
  if (lone !== -1) return { error: `Unpaired surrogate at UTF-16 offset ${lone}: the text is not valid UTF-8` };
  try {
    const parsed = parseRaw(html, options.strictAmpersand ?? true);
    const trimmed = trimFormattedText(parsed.text, parsed.entities);
    trimmed.entities.sort(compareEntities);
    const problems = checkEntities(trimmed.text, trimmed.entities);
    if (problems.length > 0) return { error: problems[0]! };
    return trimmed;
  } catch (error) {
    if (error instanceof HtmlSyntaxError) return { error: error.message };
    throw error;
  }
}

function parseRaw(html: string, strictAmpersand: boolean): { text: string; entities: MessageEntity[] } {
  const fail = (message: string): never => {
    throw new HtmlSyntaxError(message);
  };
  const out: string[] = [];
  let outLength = 0;
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  const n = html.length;
  let i = 0;
  let plainStart = 0;
  const flushPlain = (upTo: number): void => {
    if (upTo > plainStart) {
      out.push(html.slice(plainStart, upTo));
      outLength += upTo - plainStart;
    }
  };

  const special = /[<&]/g;
  while (i < n) {
    // Jump straight to the next markup character: long plain runs cost one regex scan.
    special.lastIndex = i;
    const found = special.exec(html);
    if (!found) break;
    i = found.index;
    if (html.charCodeAt(i) === 0x26 /* & */) {
      const decoded = decodeEntity(html, i);
      if (decoded) {
        flushPlain(i);
        out.push(decoded.value);
        outLength += decoded.value.length;
        i = decoded.next;
        plainStart = i;
        continue;
      }
      if (strictAmpersand) {
        fail(`Character "&" at byte offset ${byteOffset(html, i)} starts no supported HTML entity; escape it as "&amp;"`);
      }
      i++;
      continue;
    }
    flushPlain(i);
    if (html[i + 1] !== "/") {
      i = parseStartTag(html, i, open, outLength, fail);
    } else {
      i = parseEndTag(html, i, open, fail);
      const tag = open.pop()!;
      const length = outLength - tag.offset;
      if (length > 0) closeEntity(tag, length, out, entities, html, fail);
    }
    plainStart = i;
  }
  flushPlain(n);
  if (open.length > 0) fail(`Can't find end tag corresponding to start tag "${open[open.length - 1]!.name}"`);
  // A language only survives on <pre><code class="language-x">; Telegram drops it elsewhere.
  for (const entity of entities) if (entity.type === "code") delete (entity as { language?: string }).language;
  return { text: out.join(""), entities };
}

/** Parses `<name attr=...>` at `begin`; pushes the open tag and returns the index after `>`. */
function parseStartTag(html: string, begin: number, open: OpenTag[], offset: number, fail: (m: string) => never): number {
  let i = begin + 1;
  const nameStart = i;
  while (!isSpace(html[i]) && html[i] !== ">") i++;
  if (i >= html.length) fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
  const name = html.slice(nameStart, i).toLowerCase();
  if (!SUPPORTED_TAGS.has(name)) fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(html, begin)}`);

  const tag: OpenTag = { name, argument: "", extra: "", expandable: false, offset, startIndex: begin };
  while (html[i] !== ">") {
    while (i < html.length && isSpace(html[i])) i++;
    if (html[i] === ">") break;
    const attributeStart = i;
    while (!isSpace(html[i]) && html[i] !== "=" && html[i] !== ">") i++;
    const attribute = html.slice(attributeStart, i).toLowerCase();
    if (attribute.length === 0) fail(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(html, begin)}`);
    while (i < html.length && isSpace(html[i])) i++;
    if (html[i] !== "=") {
      if (name === "blockquote" && attribute === "expandable") {
        tag.expandable = true;
        continue;
      }
      fail(`Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${byteOffset(html, begin)}`);
    }
    i++;
    while (i < html.length && isSpace(html[i])) i++;
    if (i >= html.length) fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
    let value = "";
    const quote = html[i];
    if (quote !== "'" && quote !== '"') {
      const tokenStart = i;
      while (isNameTokenChar(html[i])) i++;
      value = html.slice(tokenStart, i).toLowerCase();
      if (!isSpace(html[i]) && html[i] !== ">") {
        fail(`Unexpected end of name token at byte offset ${byteOffset(html, tokenStart)}`);
      }
    } else {
      const valueStart = i + 1;
      const close = html.indexOf(quote, valueStart);
      const valueEnd = close === -1 ? html.length : close;
      value = decodeAttribute(html, valueStart, valueEnd);
      i = close === -1 ? html.length : close + 1;
    }
    if (i >= html.length) fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
    if (name === "a" && attribute === "href") tag.argument = value;
    else if (name === "code" && attribute === "class" && value.startsWith("language-")) tag.argument = value.slice(9);
    else if (name === "span" && attribute === "class" && value.startsWith("tg-")) tag.argument = value.slice(3);
    else if (name === "tg-emoji" && attribute === "emoji-id") tag.argument = value;
    else if (name === "tg-time" && attribute === "unix") tag.argument = value;
    else if (name === "tg-time" && attribute === "format") tag.extra = value;
    else if (name === "blockquote" && attribute === "expandable") tag.expandable = true;
    // Telegram ignores any other attribute.
  }
  if (name === "span" && tag.argument !== "spoiler") {
    fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(html, begin)}`);
  }
  if (name === "tg-emoji" && !/^\d+$/.test(tag.argument)) {
    fail(`Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset ${byteOffset(html, begin)}`);
  }
  if (name === "tg-time" && !/^-?\d+$/.test(tag.argument)) {
    fail(`Tag "tg-time" must have an integer attribute "unix" at byte offset ${byteOffset(html, begin)}`);
  }
  open.push(tag);
  return i + 1;
}

/** Checks `</name>` at `begin` against the innermost open tag; returns the index after `>`. */
function parseEndTag(html: string, begin: number, open: OpenTag[], fail: (m: string) => never): number {
  if (open.length === 0) fail(`Unexpected end tag at byte offset ${byteOffset(html, begin)}`);
  let i = begin + 2;
  const nameStart = i;
  while (!isSpace(html[i]) && html[i] !== ">") i++;
  if (i >= html.length) fail(`Unclosed end tag at byte offset ${byteOffset(html, begin)}`);
  const endName = html.slice(nameStart, i).toLowerCase();
  while (i < html.length && isSpace(html[i])) i++;
  if (html[i] !== ">") fail(`Unclosed end tag at byte offset ${byteOffset(html, begin)}`);
  const expected = open[open.length - 1]!.name;
  if (endName.length > 0 && endName !== expected) {
    fail(`Unmatched end tag at byte offset ${byteOffset(html, begin)}, expected "</${expected}>", found "</${endName}>"`);
  }
  return i + 1;
}

function closeEntity(
  tag: OpenTag,
  length: number,
  out: string[],
  entities: MessageEntity[],
  html: string,
  fail: (m: string) => never,
): void {
  const offset = tag.offset;
  const simple = SIMPLE_TAG_ENTITY[tag.name];
  if (simple) {
    entities.push({ type: simple, offset, length } as MessageEntity);
    return;
  }
  switch (tag.name) {
    case "a": {
      // Without href Telegram links the text itself when it is a URL.
      const url = tag.argument.length > 0 ? tag.argument : out.join("").slice(offset);
      if (!isAllowedLink(url)) {
        fail(`Invalid URL ${JSON.stringify(url)} in tag "a" at byte offset ${byteOffset(html, tag.startIndex)} (Telegram would drop the link)`);
      }
      entities.push({ type: "text_link", offset, length, url });
      return;
    }
    case "code":
      entities.push({ type: "code", offset, length, ...(tag.argument ? { language: tag.argument } : {}) } as MessageEntity);
      return;
    case "pre": {
      // <pre><code class="language-x">…</code></pre> is one pre entity with a language.
      const last = entities[entities.length - 1] as (MessageEntity & { language?: string }) | undefined;
      if (last && last.type === "code" && last.offset === offset && last.length === length) {
        entities.pop();
        entities.push({ type: "pre", offset, length, ...(last.language ? { language: last.language } : {}) });
      } else {
        entities.push({ type: "pre", offset, length });
      }
      return;
    }
    case "blockquote":
      entities.push({ type: tag.expandable ? "expandable_blockquote" : "blockquote", offset, length });
      return;
    case "tg-emoji":
      entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: tag.argument });
      return;
    case "tg-time":
      entities.push({
        type: "date_time", offset, length, unix_time: Number(tag.argument),
        date_time_format: (tag.extra || "r") as MessageEntity.DateTimeMessageEntity["date_time_format"],
      });
      return;
  }
}
