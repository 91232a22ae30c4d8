/**
 * /latest [n]: the newest n articles (default 5, at most 20) with title link, outlet, local time,
 * lead and the most telling quote; buttons for the full text and the quotes of each.
 */
import { FormattedString } from "@grammyjs/parse-mode";
import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { renderArticleList } from "../views/article-list.js";
import { mostTellingQuote } from "../views/quote-page.js";
import { replyView } from "../views/send.js";

export const DEFAULT_LATEST = 5;
export const MAX_LATEST = 20;

/** The count asked for: the first number in the argument, clamped to 1..20; the default otherwise. */
export function latestCount(argument: string): number {
  const match = /^\s*(\d{1,6})\b/.exec(argument);
  if (!match) return DEFAULT_LATEST;
  return Math.min(MAX_LATEST, Math.max(1, Number(match[1])));
}

export function latestFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("latest", async (ctx) => {
    const stored = await deps.articles.latest({ limit: latestCount(ctx.match) });
    if (stored.length === 0) return replyView(ctx, { text: new FormattedString(ctx.t("latest-empty")) });
    const items = stored.map(({ article }) => {
      const hits = deps.quotes.articleQuotes(article.id);
      return { article, quote: mostTellingQuote(hits), hasQuotes: hits.length > 0 };
    });
    const messages = renderArticleList({
      header: ctx.t("latest-header", { count: items.length }),
      items,
      timeZone: deps.config.digest.tz,
      t: ctx.t,
    });
    for (const message of messages) await replyView(ctx, message);
  });
  return composer;
}
