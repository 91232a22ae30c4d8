/**
 * Quotes as Telegram text: one page of a lookup (a person, a query, an article) with prev/next
 * buttons, and the single most telling quote of an article for /latest.
 */
import { FormattedString, fmt } from "@grammyjs/parse-mode";
import { InlineKeyboard } from "grammy";
import type { QuoteHit } from "../../digest/index.js";
import { joinFormatted, telegramLinkUrl, truncateFormatted, MESSAGE_LIMIT } from "../render.js";
import type { ButtonAction } from "./callback-data.js";
import { encodeAction } from "./callback-data.js";
import { localDate, truncate } from "./text.js";

export const QUOTES_PAGE_SIZE = 5;

/** Bounds per hit keep a page of QUOTES_PAGE_SIZE hits well under Telegram's 4096. */
const MAX_QUOTE_CHARS = 450;
const MAX_ROLE_CHARS = 100;
const MAX_TITLE_CHARS = 100;
const MAX_NAME_CHARS = 60;

export type Translate = (key: string, variables?: Record<string, string | number>) => string;

export interface QuotePageView {
  text: FormattedString;
  keyboard: InlineKeyboard | undefined;
}

/** A link when Telegram would accept the URL, else plain text. */
export function maybeLink(text: string, url: string): FormattedString {
  const safe = telegramLinkUrl(url);
  return safe && text.length > 0 ? FormattedString.link(text, safe) : new FormattedString(text);
}

/** The words of a quote as shown: direct speech inside quotation marks, reported speech bare. */
export function quoteWords(hit: QuoteHit, max = MAX_QUOTE_CHARS): string {
  const text = truncate(hit.quote.text, max);
  return hit.quote.kind === "direct" ? `“${text}”` : text;
}

const HAN = /[\u3400-\u9fff]/u;

/** "**Name**, role", or "**姓名**（职务）" when the role is written in Chinese, as the article gives it. */
export function speakerLine(hit: QuoteHit): FormattedString {
  const name = FormattedString.bold(truncate(hit.person.name, MAX_NAME_CHARS));
  const role = truncate(hit.role.trim(), MAX_ROLE_CHARS);
  if (!role) return name;
  return HAN.test(role) ? fmt`${name}（${role}）` : fmt`${name}, ${role}`;
}

function hitText(hit: QuoteHit, showArticle: boolean, timeZone: string): FormattedString {
  const lines = [speakerLine(hit), new FormattedString(quoteWords(hit))];
  if (showArticle) {
    const title = maybeLink(truncate(hit.article.title, MAX_TITLE_CHARS), hit.article.url);
    lines.push(fmt`↳ ${title} · ${localDate(hit.article.publishedAt, timeZone)}`);
  }
  return joinFormatted(lines, "\n");
}

export function renderQuotePage(options: {
  header: string;
  hits: readonly QuoteHit[];
  total: number;
  offset: number;
  /** Omitted on an article's own page, where every hit is from the same article. */
  showArticle: boolean;
  timeZone: string;
  t: Translate;
  /** The button action that shows the page at `offset`. */
  pageAction: (offset: number) => ButtonAction;
}): QuotePageView {
  const { hits, total, offset } = options;
  const parts = [FormattedString.bold(options.header), ...hits.map((h) => hitText(h, options.showArticle, options.timeZone))];
  const text = truncateFormatted(joinFormatted(parts, "\n\n"), MESSAGE_LIMIT);
  const keyboard = new InlineKeyboard();
  let buttons = 0;
  if (offset > 0) {
    keyboard.text(options.t("quotes-prev"), encodeAction(options.pageAction(Math.max(0, offset - QUOTES_PAGE_SIZE))));
    buttons += 1;
  }
  if (offset + hits.length < total) {
    keyboard.text(options.t("quotes-next"), encodeAction(options.pageAction(offset + QUOTES_PAGE_SIZE)));
    buttons += 1;
  }
  return { text, keyboard: buttons > 0 ? keyboard : undefined };
}

/**
 * The quote that best stands for an article in a list: direct speech over reported, a quote of
 * readable length over a fragment or a wall of text, a speaker with a role over one without;
 * ties go to the earliest in the article.
 */
export function mostTellingQuote(hits: readonly QuoteHit[]): QuoteHit | undefined {
  let best: QuoteHit | undefined;
  let bestScore = -Infinity;
  for (const hit of hits) {
    const length = hit.quote.text.length;
    let score = hit.quote.kind === "direct" ? 3 : 0;
    if (length >= 20 && length <= 200) score += 2;
    else if (length > 200 && length <= 400) score += 1;
    if (hit.role.trim()) score += 1;
    if (score > bestScore) {
      best = hit;
      bestScore = score;
    }
  }
  return best;
}
