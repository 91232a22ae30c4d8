/**
 * /lang: switch the interface between 中文 and English. `/lang zh` or `/lang en` switch at once;
 * bare /lang offers both as buttons. The choice is kept per user (and on their subscription, so
 * digests come in it too).
 */
import { FormattedString } from "@grammyjs/parse-mode";
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext, BotDeps, UiLang } from "../context.js";
import { encodeAction } from "../views/callback-data.js";
import { answerButton, editView, onAction, replyView } from "../views/send.js";

/** The language a /lang argument names, or null. */
export function langOfArgument(argument: string): UiLang | null {
  const a = argument.trim().toLowerCase();
  if (/^(zh|cn|zh-\w+|中文|汉语|漢語|简体|簡體|chinese)$/.test(a)) return "zh";
  if (/^(en|en-\w+|english|英文|英语|英語)$/.test(a)) return "en";
  return null;
}

export function langFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  const choose = async (ctx: BotContext, lang: UiLang): Promise<void> => {
    if (ctx.from) await deps.prefs.setLang(ctx.from.id, lang);
    if (ctx.chat?.type === "private") await deps.subscribers.setLang(ctx.chat.id, lang);
    ctx.i18n.useLocale(lang);
  };

  composer.command("lang", async (ctx) => {
    const lang = langOfArgument(ctx.match);
    if (lang) {
      await choose(ctx, lang);
      return void (await ctx.reply(ctx.t("lang-set")));
    }
    const keyboard = new InlineKeyboard()
      .text(ctx.t("lang-button-zh"), encodeAction({ kind: "lang", lang: "zh" }))
      .text(ctx.t("lang-button-en"), encodeAction({ kind: "lang", lang: "en" }));
    await replyView(ctx, { text: new FormattedString(ctx.t("lang-choose")), keyboard });
  });

  composer.use(
    onAction("lang", async (ctx, action) => {
      await choose(ctx, action.lang);
      await answerButton(ctx);
      await editView(ctx, { text: new FormattedString(ctx.t("lang-set")) });
    }),
  );
  return composer;
}
