/**
 * /latest and /search as Telegram messages: numbered articles (title link, outlet, local time,
 * lead, the most telling quote), grouped into as few messages as fit in 4096 units, each message
 * with a row of buttons per article it shows (full text, quotes).
 */
import { FormattedString, fmt } from "@grammyjs/parse-mode";
import { InlineKeyboard } from "grammy";
import type { Article, QuoteHit } from "../../digest/index.js";
import { joinFormatted, truncateFormatted, MESSAGE_LIMIT } from "../render.js";
import { encodeAction } from "./callback-data.js";
import { maybeLink, quoteWords, speakerLine, type Translate } from "./quote-page.js";
import { leadOf, localTime, truncate } from "./text.js";

const MAX_TITLE_CHARS = 200;
const MAX_QUOTE_CHARS = 200;
const ITEM_SEPARATOR = "\n\n";

export interface ListedArticle {
  article: Article;
  /** The quote to show under it, if any. */
  quote?: QuoteHit;
  /** Whether the article has quotes (then it gets a Quotes button). */
  hasQuotes: boolean;
}

export interface ListMessage {
  text: FormattedString;
  keyboard: InlineKeyboard;
}

export function articleItem(n: number, item: ListedArticle, timeZone: string, t: Translate): FormattedString {
  const { article } = item;
  const title = FormattedString.bold(maybeLink(truncate(article.title, MAX_TITLE_CHARS), article.url));
  const lines: FormattedString[] = [fmt`${n}. ${title}`];
  lines.push(new FormattedString([article.source, localTime(article.publishedAt, timeZone)].filter(Boolean).join(" · ")));
  const lead = leadOf(article);
  if (lead) lines.push(new FormattedString(lead));
  if (item.quote) lines.push(fmt`💬 ${speakerLine(item.quote)}: ${quoteWords(item.quote, MAX_QUOTE_CHARS)}`);
  lines.push(new FormattedString(t("latest-open", { command: `/full_${article.id}` })));
  return joinFormatted(lines, "\n");
}

/** The list as messages: a header, then items packed greedily under Telegram's limit. */
export function renderArticleList(options: {
  header: string;
  items: readonly ListedArticle[];
  timeZone: string;
  t: Translate;
}): ListMessage[] {
  const messages: ListMessage[] = [];
  let parts: FormattedString[] = [FormattedString.bold(options.header)];
  let length = parts[0]!.rawText.length;
  let keyboard = new InlineKeyboard();
  const flush = () => {
    if (parts.length === 0) return;
    messages.push({ text: truncateFormatted(joinFormatted(parts, ITEM_SEPARATOR), MESSAGE_LIMIT), keyboard });
    parts = [];
    length = 0;
    keyboard = new InlineKeyboard();
  };
  options.items.forEach((item, index) => {
    const n = index + 1;
    const text = articleItem(n, item, options.timeZone, options.t);
    if (parts.length > 0 && length + ITEM_SEPARATOR.length + text.rawText.length > MESSAGE_LIMIT) flush();
    parts.push(text);
    length += (length > 0 ? ITEM_SEPARATOR.length : 0) + text.rawText.length;
    // One row per article; a row is opened before each but the first (no empty trailing row).
    if (keyboard.inline_keyboard.some((row) => row.length > 0)) keyboard.row();
    keyboard.text(options.t("latest-full-button", { n }), encodeAction({ kind: "full", articleId: item.article.id }));
    if (item.hasQuotes) {
      keyboard.text(
        options.t("latest-quotes-button", { n }),
        encodeAction({ kind: "article-quotes", articleId: item.article.id, offset: 0, open: true }),
      );
    }
  });
  flush();
  return messages;
}
