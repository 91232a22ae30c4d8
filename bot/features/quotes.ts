/**
 * /quotes <query>: who said what. A person in any form (曹良铉, 曹良鉉, Yanghyeon Jo, 曹教授) or a
 * topic; /quotes <article id>: that article's quotes in order. Results are paged with prev/next
 * buttons that edit the message; no match suggests the nearest expert names.
 */
import { FormattedString } from "@grammyjs/parse-mode";
import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { createQueryTokens } from "../views/callback-data.js";
import { ARTICLE_ID } from "../views/full-article.js";
import { articleQuotesPage, personQuotesPage, queryQuotesPage } from "../views/quote-lookup.js";
import { answerButton, editView, onAction, replyView } from "../views/send.js";

/** Longer arguments are cut before lookup: no name or topic is this long. */
const MAX_QUERY_CHARS = 200;

export function quotesFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  // Page buttons of a free-text query carry a token; the query itself stays here.
  const tokens = createQueryTokens();

  composer.command("quotes", async (ctx) => {
    const query = ctx.match.replace(/\s+/gu, " ").trim().slice(0, MAX_QUERY_CHARS);
    if (!query) return replyView(ctx, { text: new FormattedString(ctx.t("quotes-usage")) });
    if (ARTICLE_ID.test(query)) {
      const page = await articleQuotesPage(deps, ctx.t, query, 0);
      if (page) return replyView(ctx, page);
    }
    await replyView(ctx, queryQuotesPage(deps, ctx.t, tokens, query, 0));
  });

  composer.use(
    onAction("article-quotes", async (ctx, action) => {
      const page = await articleQuotesPage(deps, ctx.t, action.articleId, action.offset);
      if (!page) return answerButton(ctx, ctx.t("button-stale"));
      await answerButton(ctx);
      // The Quotes button under /latest opens a new message; page buttons edit their own.
      await (action.open ? replyView(ctx, page) : editView(ctx, page));
    }),
  );

  composer.use(
    onAction("person-quotes", async (ctx, action) => {
      const page = personQuotesPage(deps, ctx.t, action.personId, action.offset);
      if (!page) return answerButton(ctx, ctx.t("button-stale"));
      await answerButton(ctx);
      await (action.open ? replyView(ctx, page) : editView(ctx, page));
    }),
  );

  composer.use(
    onAction("query-quotes", async (ctx, action) => {
      const query = tokens.queryOf(action.token);
      if (query === undefined) return answerButton(ctx, ctx.t("button-stale"));
      await answerButton(ctx);
      await editView(ctx, queryQuotesPage(deps, ctx.t, tokens, query, action.offset));
    }),
  );
  return composer;
}

