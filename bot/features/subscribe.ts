/**
 * /subscribe and /unsubscribe (and the subscribe button under /start). Answers say when the digest
 * comes, in the operator's time zone. (A user blocking the bot pauses the subscription: that is
 * features/chat-member.ts.)
 */
import { Composer } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { answerButton, onAction } from "../views/send.js";

/** "every day at 08:00 (Asia/Shanghai)" for plain daily schedules, the cron expression otherwise. */
export function describeSchedule(cron: string, tz: string, t: BotContext["t"]): string {
  const fields = cron.trim().split(/\s+/);
  // Six fields: the first is seconds.
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.length === 6 ? fields.slice(1) : fields;
  const daily = dayOfMonth === "*" && month === "*" && dayOfWeek === "*";
  if (daily && /^\d{1,2}$/.test(minute ?? "") && /^\d{1,2}$/.test(hour ?? "")) {
    const time = `${hour!.padStart(2, "0")}:${minute!.padStart(2, "0")}`;
    return t("schedule-daily", { time, tz });
  }
  return t("schedule-cron", { cron, tz });
}

export function subscribeFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  const subscribe = async (ctx: BotContext): Promise<void> => {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) return;
    const lang = ctx.from ? await deps.prefs.getLang(ctx.from.id) : null;
    const result = await deps.subscribers.subscribe(chatId, {
      now: deps.now(),
      cursor: await deps.articles.lastSeq(),
      lang,
    });
    const schedule = describeSchedule(deps.config.digest.cron, deps.config.digest.tz, ctx.t);
    const key = { subscribed: "subscribe-done", already: "subscribe-already", resumed: "subscribe-resumed" }[result];
    await ctx.reply(ctx.t(key, { schedule }));
  };

  composer.command("subscribe", subscribe);
  composer.use(
    onAction("subscribe", async (ctx) => {
      await answerButton(ctx);
      await subscribe(ctx);
    }),
  );

  composer.command("unsubscribe", async (ctx) => {
    const removed = await deps.subscribers.unsubscribe(ctx.chat.id);
    await ctx.reply(ctx.t(removed ? "unsubscribe-done" : "unsubscribe-none"));
  });
  return composer;
}
