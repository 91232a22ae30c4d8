/**
 * A whole article as Telegram messages: the photo with its caption, then the title (bold, linked
 * to the article), a source and date line, and every block in order, split into messages that
 * Telegram accepts.
 */
import { FormattedString } from "@grammyjs/parse-mode";
import type { MessageEntity } from "grammy/types";
import type { Article, Block } from "../../digest/index.js";
import { htmlToFormatted } from "./html-to-formatted.js";
import { telegramLinkUrl } from "./link-url.js";
import { CAPTION_LIMIT, MESSAGE_LIMIT, splitFormatted, truncateFormatted } from "./split.js";

export interface RenderArticleOptions {
  /** Message size limit in UTF-16 units (Telegram: 4096). */
  limit?: number;
  /** How the publication date is shown; default the ISO date (YYYY-MM-DD, UTC). */
  formatDate?: (epochMs: number) => string;
}

export interface RenderedArticle {
  /** Null when the article has no image or its URL is not http(s). The caption may be empty: send none then. */
  photo: { url: string; caption: FormattedString } | null;
  /** At least one message; "(k/n)" markers when there are several. */
  messages: FormattedString[];
}

export const BLOCK_SEPARATOR = "\n\n";

export function renderArticle(article: Article, options: RenderArticleOptions = {}): RenderedArticle {
  const limit = options.limit ?? MESSAGE_LIMIT;
  const formatDate = options.formatDate ?? isoDate;
  return {
    photo: renderPhoto(article),
    messages: splitFormatted(articleText(article, formatDate), limit, { numbered: true }),
  };
}

/** The article as one formatted text, before splitting. */
export function articleText(article: Article, formatDate: (epochMs: number) => string = isoDate): FormattedString {
  const parts = [articleHeader(article, formatDate), ...article.blocks.map(blockText)];
  return joinFormatted(parts.filter((part) => part.rawText.length > 0), BLOCK_SEPARATOR);
}

function articleHeader(article: Article, formatDate: (epochMs: number) => string): FormattedString {
  const title = collapseWhitespace(article.title) || article.url;
  const url = telegramLinkUrl(article.url);
  const titleEntities: MessageEntity[] = [{ type: "bold", offset: 0, length: title.length }];
  if (url !== null) titleEntities.push({ type: "text_link", offset: 0, length: title.length, url });
  const meta = collapseWhitespace([article.source, formatDate(article.publishedAt)].filter(Boolean).join(" · "));
  return new FormattedString(meta ? `${title}\n${meta}` : title, titleEntities);
}

/**
 * A block with its inline formatting. If the formatted text does not equal `block.text` (the
 * parser's plain text, which quotes and search refer to), the plain text wins: losing formatting
 * is better than showing a text that differs from the one stored.
 */
export function blockText(block: Block): FormattedString {
  if (block.kind === "heading") {
    const text = collapseWhitespace(block.text);
    return new FormattedString(text, text ? [{ type: "bold", offset: 0, length: text.length }] : []);
  }
  const formatted = htmlToFormatted(block.html);
  return formatted.rawText === block.text ? formatted : new FormattedString(collapseWhitespace(block.text));
}

function renderPhoto(article: Article): RenderedArticle["photo"] {
  if (article.image === null) return null;
  const url = telegramLinkUrl(article.image.url);
  if (url === null) return null;
  const caption = new FormattedString(collapseWhitespace(article.image.caption ?? ""));
  return { url, caption: truncateFormatted(caption, CAPTION_LIMIT) };
}

/** Concatenation that keeps entities exactly as given (parse-mode's `join` merges touching ones). */
export function joinFormatted(parts: readonly FormattedString[], separator: string): FormattedString {
  let text = "";
  const entities: MessageEntity[] = [];
  parts.forEach((part, i) => {
    if (i > 0) text += separator;
    for (const entity of part.rawEntities) entities.push({ ...entity, offset: entity.offset + text.length });
    text += part.rawText;
  });
  return new FormattedString(text, entities);
}

/** The whitespace rule of `Block.text` (zero-width spaces count as whitespace there too). */
function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u200b]+/g, " ").trim();
}

function isoDate(epochMs: number): string {
  return Number.isFinite(epochMs) ? new Date(epochMs).toISOString().slice(0, 10) : "";
}
