/** /help: every command with one example each. */
import { FormattedString } from "@grammyjs/parse-mode";
import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { joinFormatted } from "../render.js";
import { replyView } from "../views/send.js";

/** Lines of the help text, in the order shown. */
const HELP_LINES = [
  "help-latest",
  "help-full",
  "help-quotes",
  "help-quotes-article",
  "help-experts",
  "help-search",
  "help-subscribe",
  "help-lang",
] as const;

export function helpFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("help", async (ctx) => {
    // The examples name a real article when there is one, so they work when tapped and copied.
    const [newest] = await deps.articles.latest({ limit: 1 });
    const id = newest?.article.id ?? "k3x9a2mq";
    const lines = HELP_LINES.map((key) => new FormattedString(ctx.t(key, { id })));
    await replyView(ctx, { text: joinFormatted([FormattedString.bold(ctx.t("help-title")), joinFormatted(lines, "\n")], "\n\n") });
  });
  return composer;
}
