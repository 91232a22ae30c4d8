/**
 * /start: a greeting in the user's language, what the bot does, a button to subscribe. Deep links
 * open things directly: `/start q_<personId>` that expert's quotes, `/start a_<articleId>` an
 * article in full.
 */
import { FormattedString } from "@grammyjs/parse-mode";
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { joinFormatted } from "../render.js";
import { encodeAction } from "../views/callback-data.js";
import { sendFullArticle } from "../views/full-article.js";
import { personQuotesPage } from "../views/quote-lookup.js";
import { replyView } from "../views/send.js";
import { truncate } from "../views/text.js";

const PERSON_LINK = /^q_([0-9a-z]{8})$/;
const ARTICLE_LINK = /^a_([0-9a-z]{8})$/;

export function startFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("start", async (ctx) => {
    const payload = ctx.match.trim();
    let staleLink = false;
    const person = PERSON_LINK.exec(payload);
    const article = ARTICLE_LINK.exec(payload);
    if (person) {
      const page = personQuotesPage(deps, ctx.t, person[1]!, 0);
      if (page) return replyView(ctx, page);
      staleLink = true;
    } else if (article) {
      if (await sendFullArticle(ctx, deps, article[1]!)) return;
      staleLink = true;
    }
    const name = truncate(ctx.from?.first_name?.trim() || "👋", 64);
    const parts = [
      ...(staleLink ? [new FormattedString(ctx.t("start-unknown-link"))] : []),
      FormattedString.bold(ctx.t("start-greeting", { name })),
      new FormattedString(ctx.t("start-about")),
      new FormattedString(ctx.t("start-try")),
    ];
    const keyboard = new InlineKeyboard().text(ctx.t("start-subscribe-button"), encodeAction({ kind: "subscribe" }));
    await replyView(ctx, { text: joinFormatted(parts, "\n\n"), keyboard });
  });
  return composer;
}
