/**
 * my_chat_member through a real grammY bot and the emulator: blocking pauses the subscription
 * (kept, with its cursor), unblocking resumes it; a group kick pauses too; the mapping of every
 * membership status.
 */
import { Bot } from "grammy";
import type { ChatMemberUpdated } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { createMemorySubscriberStore } from "../../../digest/index.js";
import type { BotContext } from "../../../bot/context.js";
import { chatMemberFeature, membershipChange } from "../../../bot/features/chat-member.js";
import { startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";
import { memoryLogger } from "../digest-fixtures.js";

let emulator: BotApiEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe("chatMemberFeature", () => {
  it("pauses on block and resumes on unblock, keeping the cursor", async () => {
    emulator = await startBotApiEmulator();
    const subscribers = createMemorySubscriberStore();
    const { logger, lines } = memoryLogger();
    const bot = new Bot<BotContext>("123:abc", { botInfo: emulator.botInfo, client: { apiRoot: emulator.apiRoot } });
    bot.use(chatMemberFeature({ subscribers, logger }));
    emulator.userSends("/subscribe", { chatId: 501 });
    emulator.userSends("hi", { chatId: -600, chatType: "group" });
    await subscribers.subscribe(501, { now: 1, cursor: 7, lang: "en" });
    await subscribers.subscribe(-600, { now: 1, cursor: 7, lang: "zh" });

    await bot.handleUpdate(emulator.block(501));
    expect(await subscribers.get(501)).toMatchObject({ status: "paused", pausedReason: "blocked by the user", cursor: 7 });
    await bot.handleUpdate(emulator.block(-600));
    expect(await subscribers.get(-600)).toMatchObject({ status: "paused", pausedReason: "kicked from the chat" });
    expect(await subscribers.counts()).toEqual({ active: 0, paused: 2 });

    await bot.handleUpdate(emulator.unblock(501));
    expect(await subscribers.get(501)).toMatchObject({ status: "active", pausedReason: null, cursor: 7 });
    expect(lines.map((l) => l.msg)).toEqual([
      "bot removed from chat; subscription paused",
      "bot removed from chat; subscription paused",
      "bot back in chat; subscription resumed",
    ]);
  });

  it("does not create a subscription for a chat that never subscribed", async () => {
    emulator = await startBotApiEmulator();
    const subscribers = createMemorySubscriberStore();
    const bot = new Bot<BotContext>("123:abc", { botInfo: emulator.botInfo, client: { apiRoot: emulator.apiRoot } });
    bot.use(chatMemberFeature({ subscribers, logger: memoryLogger().logger }));
    emulator.userSends("hello", { chatId: 777 });
    await bot.handleUpdate(emulator.block(777));
    await bot.handleUpdate(emulator.unblock(777));
    expect(await subscribers.get(777)).toBeUndefined();
  });

  it("maps every membership status", () => {
    const change = (status: string, type = "private", extra: object = {}) =>
      membershipChange({
        chat: { id: 1, type } as ChatMemberUpdated["chat"],
        new_chat_member: { status, user: { id: 2, is_bot: true, first_name: "b" }, ...extra } as ChatMemberUpdated["new_chat_member"],
      });
    expect(change("kicked")).toEqual({ action: "pause", reason: "blocked by the user" });
    expect(change("kicked", "supergroup")).toEqual({ action: "pause", reason: "kicked from the chat" });
    expect(change("left", "group")).toEqual({ action: "pause", reason: "left the chat" });
    expect(change("restricted", "supergroup", { is_member: false })).toEqual({ action: "pause", reason: "left the chat" });
    expect(change("restricted", "supergroup", { is_member: true })).toBe(null);
    for (const status of ["member", "administrator", "creator"]) expect(change(status, "group")).toEqual({ action: "resume" });
  });
});
