/**
 * Small text shaping for replies: cutting user input and article text to a size Telegram (and a
 * reader) accepts, an article's lead, and times in the operator's time zone.
 */
import type { Article } from "../../digest/index.js";

const ELLIPSIS = "…";

/**
 * At most `max` UTF-16 units, cut at a word boundary when one is near, never inside a surrogate
 * pair, with "…" when something was cut.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  // Never leave half of an astral character (emoji, rare Han) behind.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  let cut = text.slice(0, end);
  const space = cut.lastIndexOf(" ");
  if (space > end * 0.7) cut = cut.slice(0, space);
  return `${cut.trimEnd()}${ELLIPSIS}`;
}

/** User input shown back in a reply ("No quotes found for …"): one line, bounded. */
export function echo(input: string, max = 80): string {
  return truncate(input.replace(/\s+/gu, " ").trim(), max);
}

const SENTENCE_END = /[。！？!?]+[”」』"']?|[.](?=\s|$)[”"']?/gu;

/** The first one or two sentences of the article's first real paragraph, at most `max` units. */
export function leadOf(article: Article, max = 280): string {
  const first = article.blocks.find((b) => b.kind === "paragraph" && b.text.length >= 15) ?? article.blocks[0];
  if (!first) return "";
  const text = first.text;
  let end = 0;
  let sentences = 0;
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(text); m !== null; m = SENTENCE_END.exec(text)) {
    end = m.index + m[0].length;
    sentences += 1;
    // A short first sentence ("Good morning.") is not a lead: take the second too.
    if (sentences >= 2 || end >= 60) break;
  }
  return truncate(end > 0 ? text.slice(0, end) : text, max);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2023-11-19 13:15" in the given IANA time zone. */
export function localTime(epochMs: number, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(new Date(epochMs))) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** "2023-11-19" in the given time zone. */
export function localDate(epochMs: number, timeZone: string): string {
  return localTime(epochMs, timeZone).slice(0, 10);
}
