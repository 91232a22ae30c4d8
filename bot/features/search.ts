/** /search <words>: articles whose title or text holds every word, title matches first. */
import { FormattedString, fmt } from "@grammyjs/parse-mode";
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { joinFormatted, truncateFormatted, MESSAGE_LIMIT } from "../render.js";
import { encodeAction } from "../views/callback-data.js";
import { maybeLink } from "../views/quote-page.js";
import { replyView } from "../views/send.js";
import { echo, localDate, truncate } from "../views/text.js";

export const SEARCH_RESULTS = 10;

export function searchFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("search", async (ctx) => {
    const query = ctx.match.replace(/\s+/gu, " ").trim();
    if (!query) return replyView(ctx, { text: new FormattedString(ctx.t("search-usage")) });
    const { total, hits } = deps.search.search(query, SEARCH_RESULTS);
    if (total === 0) return replyView(ctx, { text: new FormattedString(ctx.t("search-none", { query: echo(query) })) });
    const keyboard = new InlineKeyboard();
    const lines = hits.map((hit, index) => {
      const title = FormattedString.bold(maybeLink(truncate(hit.title, 150), hit.url));
      if (index > 0 && index % 5 === 0) keyboard.row();
      keyboard.text(`${index + 1}`, encodeAction({ kind: "full", articleId: hit.id }));
      const meta = [hit.source, localDate(hit.publishedAt, deps.config.digest.tz)].filter(Boolean).join(" · ");
      return fmt`${index + 1}. ${title}\n${meta} · /full_${hit.id}`;
    });
    const text = joinFormatted(
      [FormattedString.bold(ctx.t("search-header", { query: echo(query), total })), joinFormatted(lines, "\n\n")],
      "\n\n",
    );
    await replyView(ctx, { text: truncateFormatted(text, MESSAGE_LIMIT), keyboard });
  });
  return composer;
}
