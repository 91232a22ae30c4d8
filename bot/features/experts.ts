/**
 * /experts: the most-quoted experts with their roles. Each name links to their quotes (a deep
 * link that works from anywhere) and has a button that opens them here.
 */
import { FormattedString, fmt } from "@grammyjs/parse-mode";
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { joinFormatted, truncateFormatted, MESSAGE_LIMIT } from "../render.js";
import { encodeAction } from "../views/callback-data.js";
import { maybeLink } from "../views/quote-page.js";
import { replyView } from "../views/send.js";
import { truncate } from "../views/text.js";

export const TOP_EXPERTS = 15;
const BUTTONS_PER_ROW = 2;

export function expertsFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("experts", async (ctx) => {
    const top = deps.quotes.topExperts(TOP_EXPERTS);
    if (top.length === 0) return replyView(ctx, { text: new FormattedString(ctx.t("experts-empty")) });
    const keyboard = new InlineKeyboard();
    const lines = top.map(({ person, quotes, articles }, index) => {
      const name = truncate(person.name, 60);
      const link = FormattedString.bold(maybeLink(name, `https://t.me/${ctx.me.username}?start=q_${person.id}`));
      const role = truncate(person.roles.find((r) => r.trim()) ?? "", 100);
      const count = ctx.t("experts-count", { quotes, articles });
      if (index > 0 && index % BUTTONS_PER_ROW === 0) keyboard.row();
      keyboard.text(truncate(person.name, 30), encodeAction({ kind: "person-quotes", personId: person.id, offset: 0, open: true }));
      return role ? fmt`${index + 1}. ${link} — ${role} · ${count}` : fmt`${index + 1}. ${link} · ${count}`;
    });
    const text = joinFormatted(
      [FormattedString.bold(ctx.t("experts-header")), joinFormatted(lines, "\n"), new FormattedString(ctx.t("experts-hint"))],
      "\n\n",
    );
    await replyView(ctx, { text: truncateFormatted(text, MESSAGE_LIMIT), keyboard });
  });
  return composer;
}
