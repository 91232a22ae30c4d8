/**
 * The last stop: what no feature handled. Unknown commands get a pointer to /help (in groups only
 * when addressed to this bot — a bare /cmd there may be meant for another bot); plain text in a
 * private chat gets a hint; a button this bot no longer understands gets "out of date". Everything
 * else (stickers, edits, service messages) is left alone.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { answerButton } from "../views/send.js";
import { echo } from "../views/text.js";

const COMMAND = /^\/([A-Za-z0-9_]{1,64})(?:@(\w+))?/;

export function unknownFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.on("message:text", async (ctx) => {
    const text = ctx.message.text;
    const command = COMMAND.exec(text);
    const isPrivate = ctx.chat.type === "private";
    if (command) {
      const addressee = command[2];
      const forUs = addressee === undefined ? isPrivate : addressee.toLowerCase() === ctx.me.username.toLowerCase();
      if (forUs) await ctx.reply(ctx.t("unknown-command", { command: echo(`/${command[1]}`, 40) }));
      return;
    }
    if (isPrivate) await ctx.reply(ctx.t("unknown-text"));
  });

  composer.on("callback_query", async (ctx) => {
    await answerButton(ctx, ctx.t("button-stale"));
  });
  return composer;
}
