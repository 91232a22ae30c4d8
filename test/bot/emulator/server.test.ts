import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Api, Bot, GrammyError, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";

const TOKEN = "123456:emulator-test-token";
let emulator: BotApiEmulator;

beforeEach(async () => {
  emulator = await startBotApiEmulator();
});

afterEach(async () => {
  await emulator.close();
});

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

describe("getMe and routing", () => {
  it("answers getMe through grammY with the configured identity", async () => {
    const custom = await startBotApiEmulator({ botInfo: { username: "news_digest_bot", first_name: "News" } });
    try {
      const me = await new Api(TOKEN, { apiRoot: custom.apiRoot }).getMe();
      expect(me).toMatchObject({ is_bot: true, username: "news_digest_bot", first_name: "News" });
      expect(custom.calls.map((call) => call.method)).toEqual(["getMe"]);
    } finally {
      await custom.close();
    }
  });

  it("answers an unknown method with 404 Not Found and records the violation", async () => {
    const response = await fetch(`${emulator.apiRoot}/bot${TOKEN}/sendTelepathy`, { method: "POST" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error_code: 404, description: "Not Found" });
    expect(emulator.violations.map((violation) => violation.method)).toEqual(["sendTelepathy"]);
  });

  it("says so when a real Bot API method is not emulated yet", async () => {
    const error = await new Api(TOKEN, { apiRoot: emulator.apiRoot }).sendDice(1, "🎲").catch((e: unknown) => e as GrammyError);
    expect((error as GrammyError).error_code).toBe(501);
    expect((error as GrammyError).description).toMatch(/does not serve sendDice yet/);
    expect(emulator.violations).toHaveLength(1);
  });

  it("matches method names case-insensitively and reads form-urlencoded bodies", async () => {
    emulator.addChat(5);
    const response = await fetch(`${emulator.apiRoot}/bot${TOKEN}/SENDMESSAGE`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ chat_id: "5", text: "<b>hi</b>", parse_mode: "HTML" }),
    });
    const body = (await response.json()) as { ok: boolean; result: { entities: unknown } };
    expect(body.ok).toBe(true);
    expect(body.result.entities).toEqual([{ type: "bold", offset: 0, length: 2 }]);
  });
});

describe("long polling", () => {
  it("delivers userSends to bot.start(), the reply lands in the chat, and stop() confirms the offset", async () => {
    const bot = new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } });
    const seen: Update[] = [];
    bot.use((ctx, next) => {
      seen.push(ctx.update);
      return next();
    });
    bot.command("start", (ctx) => ctx.reply(`Hello, ${ctx.from?.first_name}! You said ${ctx.match || "nothing"}.`));
    const started = new Promise<void>((resolve) => void bot.start({ onStart: () => resolve() }));
    await started;

    const update = emulator.userSends("/start@digest_emulator_bot today", { chatId: 77, from: { first_name: "Ada" } });
    expect(update.message?.entities).toEqual([{ type: "bot_command", offset: 0, length: 26 }]);
    const reply = await emulator.waitFor(() => emulator.chat(77).messages[0]);
    expect(reply.text).toBe("Hello, Ada! You said today.");
    expect(reply.from?.id).toBe(emulator.botInfo.id);
    expect(reply.message_id).toBeGreaterThan(update.message!.message_id);

    await bot.stop();
    expect(seen.map((u) => u.update_id)).toEqual([update.update_id]);
    expect(emulator.pendingUpdateCount).toBe(0);
    const lastPoll = emulator.calls.filter((call) => call.method === "getUpdates").at(-1)!;
    expect(lastPoll.params.offset).toBe(update.update_id + 1);
    expect(emulator.violations).toEqual([]);
  });

  it("ends the older of two concurrent getUpdates with 409 Conflict", async () => {
    const url = `${emulator.apiRoot}/bot${TOKEN}/getUpdates`;
    const post = (body: object) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const first = post({ timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the first poll settle on the server
    const second = post({ timeout: 0 });
    const firstBody = (await (await first).json()) as { description: string };
    expect(firstBody).toEqual({
      ok: false, error_code: 409,
      description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    expect(await (await second).json()).toEqual({ ok: true, result: [] });
    expect(emulator.violations.map((violation) => violation.description)).toEqual([firstBody.description]);
  });

  it("refuses getUpdates with 409 while a webhook is set", async () => {
    const api = new Api(TOKEN, { apiRoot: emulator.apiRoot });
    await api.setWebhook("http://127.0.0.1:9/hook");
    const error = await api.getUpdates().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(409);
    expect((error as GrammyError).description).toMatch(/^Conflict: can't use getUpdates method while webhook is active/);
  });

  it("honours allowed_updates and a negative offset", async () => {
    const api = new Api(TOKEN, { apiRoot: emulator.apiRoot });
    emulator.userSends("one", { chatId: 1 });
    emulator.userSends("two", { chatId: 1 });
    emulator.block(1);
    expect((await api.getUpdates({ offset: -2 })).map((u) => u.message?.text ?? "my_chat_member")).toEqual(["two", "my_chat_member"]);
    emulator.userSends("three", { chatId: 1 }); // unblocks first: a my_chat_member, then the message
    const updates = await api.getUpdates({ allowed_updates: ["message"] });
    expect(updates.map((u) => u.message?.text)).toEqual(["two", "three"]);
  });
});

describe("a grammY bot driven from the user's side", () => {
  it("handles buttons, answers, edits, edited messages and channel posts", async () => {
    const bot = new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } });
    bot.command("menu", (ctx) => ctx.reply("Pick one", {
      reply_markup: { inline_keyboard: [[{ text: "Latest", callback_data: "latest" }]] },
    }));
    bot.callbackQuery("latest", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Loading" });
      await ctx.editMessageText("<b>Latest</b> digest", { parse_mode: "HTML" });
    });
    bot.on("edited_message:text", (ctx) => ctx.reply(`Edited to: ${ctx.editedMessage.text}`));
    bot.on("channel_post:text", (ctx) => ctx.reply("channel seen"));
    await new Promise<void>((resolve) => void bot.start({ onStart: () => resolve() }));
    try {
      emulator.userSends("/menu", { chatId: 11 });
      const menu = await emulator.waitFor(() => emulator.chat(11).messages[0]);
      const press = emulator.pressButton({ chatId: 11, messageId: menu.message_id, data: "latest" });
      const edited = await emulator.waitFor(() => emulator.chat(11).messages.find((m) => m.edit_date !== undefined));
      expect(edited).toMatchObject({ message_id: menu.message_id, text: "Latest digest", entities: [{ type: "bold", offset: 0, length: 6 }] });
      expect(edited.reply_markup).toBeUndefined();
      expect(emulator.callbackQuery(press.callback_query!.id)).toMatchObject({ answered: true, answer: { text: "Loading" } });
      expect(emulator.callbackQueries.filter((query) => !query.answered)).toEqual([]);

      const typed = emulator.userSends("typo", { chatId: 11 });
      emulator.editUserMessage({ chatId: 11, messageId: typed.message!.message_id, text: "fixed" });
      await emulator.waitFor(() => emulator.chat(11).messages.some((m) => m.text === "Edited to: fixed"));

      emulator.userSends("news", { chatId: -100123, chatType: "channel" });
      const post = await emulator.waitFor(() => emulator.chat(-100123).messages[0]);
      expect(post).toMatchObject({ text: "channel seen", sender_chat: { id: -100123, type: "channel" } });
      expect(emulator.violations).toEqual([]);
    } finally {
      await bot.stop();
    }
  });
});

describe("webhook", () => {
  it("posts each update with the secret header and retries after a non-2xx answer", async () => {
    const received: Array<{ secret: string | undefined; body: Update }> = [];
    let failuresLeft = 1;
    const receiver = createServer(async (req, res) => {
      received.push({ secret: req.headers["x-telegram-bot-api-secret-token"] as string | undefined, body: (await readJson(req)) as Update });
      res.statusCode = failuresLeft-- > 0 ? 500 : 200;
      res.end();
    });
    const url = await listen(receiver);
    try {
      const api = new Api(TOKEN, { apiRoot: emulator.apiRoot });
      await api.setWebhook(url, { secret_token: "s3cret_token-1" });
      const update = emulator.userSends("hello", { chatId: 9 });
      await emulator.waitFor(() => received.length === 2);
      expect(received.map((r) => [r.secret, r.body.update_id])).toEqual([
        ["s3cret_token-1", update.update_id],
        ["s3cret_token-1", update.update_id],
      ]);
      const info = await api.getWebhookInfo();
      expect(info).toMatchObject({ url, pending_update_count: 0, last_error_message: "Wrong response from the webhook: 500 Internal Server Error" });
    } finally {
      receiver.close();
    }
  });

  it("executes a method returned in the webhook answer (webhook reply)", async () => {
    const receiver = createServer(async (req, res) => {
      const update = (await readJson(req)) as Update;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ method: "sendMessage", chat_id: update.message!.chat.id, text: "<i>instant</i>", parse_mode: "HTML" }));
    });
    const url = await listen(receiver);
    try {
      await new Api(TOKEN, { apiRoot: emulator.apiRoot }).setWebhook(url);
      emulator.userSends("hi", { chatId: 21 });
      const reply = await emulator.waitFor(() => emulator.chat(21).messages[0]);
      expect(reply).toMatchObject({ text: "instant", entities: [{ type: "italic", offset: 0, length: 7 }] });
    } finally {
      receiver.close();
    }
  });

  it("drives a grammY webhookCallback bot that checks the secret", async () => {
    const bot = new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } });
    bot.command("ping", (ctx) => ctx.reply("pong"));
    await bot.init();
    const receiver = createServer(webhookCallback(bot, "http", { secretToken: "right" }));
    const url = await listen(receiver);
    try {
      await bot.api.setWebhook(url, { secret_token: "wrong" });
      emulator.userSends("/ping", { chatId: 3 });
      // grammY refuses the wrong secret with 401; the update stays pending until the secret is fixed.
      let info = await bot.api.getWebhookInfo();
      for (let i = 0; i < 250 && info.last_error_message === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        info = await bot.api.getWebhookInfo();
      }
      expect(info.last_error_message).toBe("Wrong response from the webhook: 401 Unauthorized");
      expect(info.pending_update_count).toBe(1);
      expect(emulator.chat(3).messages).toEqual([]);
      await bot.api.setWebhook(url, { secret_token: "right" });
      const reply = await emulator.waitFor(() => emulator.chat(3).messages[0]);
      expect(reply.text).toBe("pong");
      expect(emulator.violations).toEqual([]);
    } finally {
      receiver.close();
    }
  });
});
