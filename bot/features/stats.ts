/**
 * /stats for the operator (ADMIN_IDS): articles, experts, quotes, subscribers, last ingest, and
 * the digest delivery lines (outbox, paused subscriptions, last and next run) when a schedule runs.
 * Everyone else gets the ordinary unknown-command answer: the command is not advertised.
 */
import { FormattedString } from "@grammyjs/parse-mode";
import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { joinFormatted } from "../render.js";
import { replyView } from "../views/send.js";
import { localTime } from "../views/text.js";

export function statsFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("stats", async (ctx) => {
    const userId = ctx.from?.id;
    if (userId === undefined || !deps.config.adminIds.includes(userId)) {
      return void (await ctx.reply(ctx.t("unknown-command", { command: "/stats" })));
    }
    const index = deps.quotes.stats();
    const subscribers = await deps.subscribers.counts();
    const ingest = deps.lastIngest();
    const lines = [
      ctx.t("stats-articles", { count: await deps.articles.count() }),
      ctx.t("stats-experts", { count: index.persons }),
      ctx.t("stats-quotes", { count: index.quotes }),
      ctx.t("stats-subscribers", subscribers),
      ingest
        ? ctx.t("stats-last-ingest", {
            time: `${localTime(ingest.at, deps.config.digest.tz)} (${deps.config.digest.tz})`,
            files: ingest.files,
            added: ingest.added,
            updated: ingest.updated,
            failed: ingest.failed,
          })
        : ctx.t("stats-no-ingest"),
      ...((await deps.digestStatus?.((key, args) => ctx.t(key, args))) ?? []),
    ];
    await replyView(ctx, {
      text: joinFormatted([FormattedString.bold(ctx.t("stats-title")), new FormattedString(lines.join("\n"))], "\n\n"),
    });
  });
  return composer;
}
