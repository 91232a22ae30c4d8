/**
 * /full: an article's picture with its caption, then every paragraph in order, in as many
 * messages as Telegram's 4096-unit limit needs ("(k/n)"), link previews off.
 */
import { GrammyError } from "grammy";
import type { BotContext, BotDeps } from "../context.js";
import { renderArticle } from "../render.js";
import { localTime } from "./text.js";

/** 8 lowercase base36 characters: the shape of every article id. */
export const ARTICLE_ID = /^[0-9a-z]{8}$/;

/** Sends the article to the chat of `ctx`; false when there is no article with that id. */
export async function sendFullArticle(ctx: BotContext, deps: BotDeps, articleId: string): Promise<boolean> {
  const id = articleId.toLowerCase();
  if (!ARTICLE_ID.test(id)) return false;
  const stored = await deps.articles.get(id);
  if (!stored) return false;
  const tz = deps.config.digest.tz;
  const rendered = renderArticle(stored.article, { formatDate: (ms) => localTime(ms, tz) });
  const noPreview = { link_preview_options: { is_disabled: true } };
  if (rendered.photo) {
    const { url, caption } = rendered.photo;
    try {
      await ctx.replyWithPhoto(url, { caption: caption.text, caption_entities: caption.entities });
    } catch (error) {
      // Telegram fetches the picture itself and answers 400 when it cannot ("wrong file
      // identifier/HTTP URL specified", "failed to get HTTP URL content"). The text matters more
      // than the picture: keep the caption, go on.
      if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
      deps.logger.warn({ articleId: id, photo: url, description: error.description }, "photo not sent");
      if (caption.text.trim()) await ctx.reply(caption.text, { entities: caption.entities, ...noPreview });
    }
  }
  for (const message of rendered.messages) {
    await ctx.reply(message.text, { entities: message.entities, ...noPreview });
  }
  return true;
}
