/**
 * /full <id>, the tappable /full_<id>, and the "Full text" button: the article in full. An
 * unknown id gets an answer that says what ids look like and where to find them.
 */
import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { sendFullArticle } from "../views/full-article.js";
import { answerButton, onAction } from "../views/send.js";
import { echo } from "../views/text.js";

/** "/full_k3x9a2mq" or, in groups, "/full_k3x9a2mq@this_bot". */
const FULL_UNDERSCORE = /^\/full_([0-9A-Za-z]{1,32})(?:@(\w+))?(?:\s|$)/;

export function fullFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  const show = async (ctx: BotContext, id: string): Promise<void> => {
    if (await sendFullArticle(ctx, deps, id)) return;
    const [newest] = await deps.articles.latest({ limit: 1 });
    const example = newest?.article.id ?? "k3x9a2mq";
    await ctx.reply(ctx.t("full-unknown", { id: echo(id, 40), example }));
  };

  composer.command("full", async (ctx) => {
    const id = ctx.match.trim().split(/\s+/)[0] ?? "";
    if (!id) {
      const [newest] = await deps.articles.latest({ limit: 1 });
      return void (await ctx.reply(ctx.t("full-usage", { id: newest?.article.id ?? "k3x9a2mq" })));
    }
    await show(ctx, id);
  });

  composer.on("message:text", async (ctx, next) => {
    const match = FULL_UNDERSCORE.exec(ctx.message.text);
    // A command addressed to another bot in a group is not ours to answer.
    if (!match || (match[2] !== undefined && match[2].toLowerCase() !== ctx.me.username.toLowerCase())) return next();
    await show(ctx, match[1]!);
  });

  composer.use(
    onAction("full", async (ctx, action) => {
      const stored = await deps.articles.get(action.articleId);
      if (!stored) return answerButton(ctx, ctx.t("button-stale"));
      await answerButton(ctx);
      await show(ctx, action.articleId);
    }),
  );
  return composer;
}
