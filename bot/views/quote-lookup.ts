/**
 * The three quote lookups the bot offers — by person, by free-text query, by article — as pages
 * ready to send or to edit into an existing message. Shared by /quotes, /experts' buttons and
 * /start's deep links.
 */
import { FormattedString } from "@grammyjs/parse-mode";
import { InlineKeyboard } from "grammy";
import type { BotDeps } from "../context.js";
import { encodeAction, type QueryTokens } from "./callback-data.js";
import { QUOTES_PAGE_SIZE, renderQuotePage, type QuotePageView, type Translate } from "./quote-page.js";
import { echo, truncate } from "./text.js";

const MAX_SUGGESTIONS = 5;

const pageBounds = (offset: number, shown: number, total: number) => ({
  from: shown === 0 ? 0 : offset + 1,
  to: offset + shown,
  total,
});

/** A person's quotes, newest first; null when the person is unknown (e.g. a stale deep link). */
export function personQuotesPage(deps: BotDeps, t: Translate, personId: string, offset: number): QuotePageView | null {
  const person = deps.quotes.person(personId);
  if (!person) return null;
  const { total, hits } = deps.quotes.personQuotes(personId, { limit: QUOTES_PAGE_SIZE, offset });
  if (hits.length === 0 && total > 0 && offset > 0) return personQuotesPage(deps, t, personId, 0);
  return renderQuotePage({
    header: t("quotes-person-header", { name: truncate(person.name, 60), ...pageBounds(offset, hits.length, total) }),
    hits,
    total,
    offset,
    showArticle: true,
    timeZone: deps.config.digest.tz,
    t,
    pageAction: (o) => ({ kind: "person-quotes", personId, offset: o, open: false }),
  });
}

/** Who said what in one article, in paragraph order; null when the article is unknown. */
export async function articleQuotesPage(
  deps: BotDeps,
  t: Translate,
  articleId: string,
  offset: number,
): Promise<QuotePageView | null> {
  const stored = await deps.articles.get(articleId);
  if (!stored) return null;
  const title = truncate(stored.article.title, 100);
  const all = deps.quotes.articleQuotes(articleId);
  if (all.length === 0) return { text: new FormattedString(t("quotes-none-article", { title })), keyboard: undefined };
  const start = offset < all.length ? offset : 0;
  const hits = all.slice(start, start + QUOTES_PAGE_SIZE);
  return renderQuotePage({
    header: t("quotes-article-header", { title, ...pageBounds(start, hits.length, all.length) }),
    hits,
    total: all.length,
    offset: start,
    showArticle: false,
    timeZone: deps.config.digest.tz,
    t,
    pageAction: (o) => ({ kind: "article-quotes", articleId, offset: o, open: false }),
  });
}

/** A free-text lookup (a name in any form, or a topic); when nothing matches, the nearest names as buttons. */
export function queryQuotesPage(
  deps: BotDeps,
  t: Translate,
  tokens: QueryTokens,
  query: string,
  offset: number,
): QuotePageView {
  const result = deps.quotes.search(query, { limit: QUOTES_PAGE_SIZE, offset });
  const shown = echo(query);
  if (result.total === 0) {
    const keyboard = new InlineKeyboard();
    let buttons = 0;
    for (const name of result.suggestions.slice(0, MAX_SUGGESTIONS)) {
      const person = deps.quotes.search(name, { limit: 1 }).hits[0]?.person;
      if (!person) continue;
      if (buttons > 0) keyboard.row();
      keyboard.text(truncate(person.name, 40), encodeAction({ kind: "person-quotes", personId: person.id, offset: 0, open: true }));
      buttons += 1;
    }
    const text = buttons > 0 ? `${t("quotes-none", { query: shown })}\n${t("quotes-suggest")}` : t("quotes-none", { query: shown });
    return { text: new FormattedString(text), keyboard: buttons > 0 ? keyboard : undefined };
  }
  if (result.hits.length === 0 && offset > 0) return queryQuotesPage(deps, t, tokens, query, 0);
  const token = tokens.tokenFor(query);
  return renderQuotePage({
    header: t("quotes-header", { query: shown, ...pageBounds(offset, result.hits.length, result.total) }),
    hits: result.hits,
    total: result.total,
    offset,
    showArticle: true,
    timeZone: deps.config.digest.tz,
    t,
    pageAction: (o) => ({ kind: "query-quotes", token, offset: o }),
  });
}
