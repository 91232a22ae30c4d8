/**
 * The error boundary: whatever a feature throws is logged with the update id (never the token:
 * the logger scrubs it) and the user gets a polite answer instead of silence. Telegram saying the
 * chat is unreachable (blocked, deactivated, kicked, chat not found) is not an error of ours: the
 * subscription is paused and nothing is sent.
 */
import { Composer, GrammyError, type BotError, type Middleware } from "grammy";
import type { BotContext, BotDeps } from "../context.js";

/** Telegram's answers that mean "stop sending to this chat" (DESIGN §7). */
export function unreachableReason(error: unknown): string | null {
  if (!(error instanceof GrammyError)) return null;
  if (error.error_code === 403) return error.description.replace(/^Forbidden:\s*/i, "");
  if (error.error_code === 400 && /chat not found/i.test(error.description)) return "chat not found";
  return null;
}

export function handleBotError(deps: Pick<BotDeps, "logger" | "subscribers">) {
  return async (botError: BotError<BotContext>): Promise<void> => {
    const { ctx, error } = botError;
    const fields = { update_id: ctx.update.update_id, chat_id: ctx.chat?.id };
    const unreachable = unreachableReason(error);
    if (unreachable !== null) {
      deps.logger.warn({ ...fields, reason: unreachable }, "chat unreachable; subscription paused");
      if (ctx.chat) {
        try {
          await deps.subscribers.pause(ctx.chat.id, unreachable);
        } catch (cause) {
          deps.logger.error({ ...fields, err: cause }, "could not pause subscription");
        }
      }
      return;
    }
    deps.logger.error({ ...fields, err: error }, "update failed");
    // i18n may be what failed; then there is nothing sensible to say.
    if (typeof ctx.t !== "function") return;
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("error-generic") });
      else if (ctx.chat?.type === "private" && ctx.message) await ctx.reply(ctx.t("error-generic"));
    } catch (cause) {
      deps.logger.warn({ ...fields, err: cause }, "could not tell the user about the failure");
    }
  };
}

/** `features`, each update's run wrapped in the error boundary. */
export function errorsFeature(
  deps: Pick<BotDeps, "logger" | "subscribers">,
  ...features: Middleware<BotContext>[]
): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.errorBoundary(handleBotError(deps), ...features);
  return composer;
}
