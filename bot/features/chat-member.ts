/**
 * `my_chat_member`: Telegram tells the bot that its membership in a chat changed. Blocked by the
 * user (private "kicked"), removed from a group ("kicked"/"left") → the subscription is paused, not
 * deleted; back as a member → it resumes where its cursor was, so the next digest holds what it missed.
 * (A paused chat that never subscribed is nothing to resume: `resume` only touches paused rows.)
 */
import { Composer } from "grammy";
import type { ChatMemberUpdated } from "grammy/types";
import type { SubscriberStore } from "../../digest/index.js";
import type { BotContext } from "../context.js";
import type { Logger } from "../logger.js";

export interface ChatMemberDeps {
  subscribers: Pick<SubscriberStore, "pause" | "resume">;
  logger: Pick<Logger, "info">;
}

/** What a membership change means for delivery: pause (with the reason kept), resume, or nothing. */
export function membershipChange(update: Pick<ChatMemberUpdated, "chat" | "new_chat_member">):
  | { action: "pause"; reason: string }
  | { action: "resume" }
  | null {
  const member = update.new_chat_member;
  switch (member.status) {
    case "kicked":
      return { action: "pause", reason: update.chat.type === "private" ? "blocked by the user" : "kicked from the chat" };
    case "left":
      return { action: "pause", reason: "left the chat" };
    case "restricted":
      // Restricted but still in the group: sending may be forbidden, Telegram's 403 will say so.
      return member.is_member ? null : { action: "pause", reason: "left the chat" };
    case "member":
    case "administrator":
    case "creator":
      return { action: "resume" };
  }
}

export function chatMemberFeature(deps: ChatMemberDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on("my_chat_member", async (ctx) => {
    const update = ctx.myChatMember;
    const change = membershipChange(update);
    const fields = { chatId: update.chat.id, status: update.new_chat_member.status };
    if (change === null) return;
    if (change.action === "pause") {
      const paused = await deps.subscribers.pause(update.chat.id, change.reason);
      deps.logger.info({ ...fields, paused, reason: change.reason }, "bot removed from chat; subscription paused");
    } else {
      const resumed = await deps.subscribers.resume(update.chat.id);
      deps.logger.info({ ...fields, resumed }, "bot back in chat; subscription resumed");
    }
  });
  return composer;
}
