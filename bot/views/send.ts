/**
 * Sending and editing formatted views, and routing inline-button presses to their handlers.
 */
import type { FormattedString } from "@grammyjs/parse-mode";
import { Composer, GrammyError, type InlineKeyboard } from "grammy";
import type { BotContext } from "../context.js";
import { decodeAction, type ButtonAction } from "./callback-data.js";

const NO_PREVIEW = { is_disabled: true } as const;

export interface View {
  text: FormattedString;
  keyboard?: InlineKeyboard | undefined;
}

export async function replyView(ctx: BotContext, view: View): Promise<void> {
  await ctx.reply(view.text.text, {
    entities: view.text.entities,
    reply_markup: view.keyboard,
    link_preview_options: NO_PREVIEW,
  });
}

/**
 * Replaces the message the pressed button belongs to. Pressing the same button twice before the
 * client redraws asks for an edit to the text already shown, which Telegram refuses with
 * "message is not modified": nothing to do then.
 */
export async function editView(ctx: BotContext, view: View): Promise<void> {
  try {
    await ctx.editMessageText(view.text.text, {
      entities: view.text.entities,
      reply_markup: view.keyboard,
      link_preview_options: NO_PREVIEW,
    });
  } catch (error) {
    if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
    if (error.description.includes("message is not modified")) return;
    // Too old to edit, or deleted: show the page as a new message instead.
    if (/message (can't be edited|to edit not found)/.test(error.description)) return replyView(ctx, view);
    throw error;
  }
}

/** Answers a button press; a query that is too old to answer is not worth failing the update for. */
export async function answerButton(ctx: BotContext, text?: string): Promise<void> {
  try {
    await ctx.answerCallbackQuery(text === undefined ? undefined : { text });
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 400) return;
    throw error;
  }
}

export type ActionHandler<K extends ButtonAction["kind"]> = (
  ctx: BotContext,
  action: Extract<ButtonAction, { kind: K }>,
) => Promise<void>;

/** A composer handling presses of buttons whose data decodes to `kind`; other presses pass on. */
export function onAction<K extends ButtonAction["kind"]>(kind: K, handler: ActionHandler<K>): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on("callback_query:data", async (ctx, next) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (action?.kind !== kind) return next();
    await handler(ctx, action as Extract<ButtonAction, { kind: K }>);
  });
  return composer;
}
