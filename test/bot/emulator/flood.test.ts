import { autoRetry } from "@grammyjs/auto-retry";
import { Api, GrammyError } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";

const TOKEN = "123456:emulator-test-token";
let emulator: BotApiEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe("flood control over HTTP", () => {
  it("answers a burst of 50 messages to one private chat with 429s carrying retry_after", async () => {
    emulator = await startBotApiEmulator(); // defaults: 1 msg/s per private chat, burst 3
    emulator.userSends("/start", { chatId: 7 });
    const api = new Api(TOKEN, { apiRoot: emulator.apiRoot });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => api.sendMessage(7, `message ${i}`)));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as GrammyError);
    expect(results.length - refused.length).toBe(3);
    for (const error of refused) {
      expect(error).toBeInstanceOf(GrammyError);
      expect(error.error_code).toBe(429);
      const retryAfter = error.parameters.retry_after!;
      expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
      expect(error.description).toBe(`Too Many Requests: retry after ${retryAfter}`);
    }
    expect(emulator.stats()).toMatchObject({ sent: 3, tooManyRequests: 47 });
    expect(emulator.chat(7).messages).toHaveLength(3);
    expect(emulator.violations).toEqual([]); // 429s are traffic, not violations
  });

  it("lets a client that honours retry_after (auto-retry) deliver all 50 in order with no ignored 429", async () => {
    emulator = await startBotApiEmulator({ perChatRate: 10, perChatBurst: 10 });
    emulator.userSends("/start", { chatId: 8 });
    const api = new Api(TOKEN, { apiRoot: emulator.apiRoot });
    api.config.use(autoRetry({ maxRetryAttempts: 5 }));
    for (let i = 0; i < 50; i++) await api.sendMessage(8, `message ${i}`);
    const stats = emulator.stats();
    expect(stats.sentPerChat.get(8)).toBe(50);
    expect(stats.tooManyRequests).toBeGreaterThan(0); // the limit was actually met
    expect(stats.ignoredRetryAfter).toBe(0);
    expect(emulator.chat(8).messages.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `message ${i}`));
  }, 20_000);

  it("counts requests that ignore retry_after", async () => {
    // A long retry_after keeps the scope closed however slow this machine is.
    emulator = await startBotApiEmulator({ perChatRate: 1, perChatBurst: 1, retryAfterSeconds: 30 });
    emulator.userSends("/start", { chatId: 9 });
    const api = new Api(TOKEN, { apiRoot: emulator.apiRoot });
    await api.sendMessage(9, "first");
    const error = (await api.sendMessage(9, "second").catch((e: unknown) => e)) as GrammyError;
    expect(error.error_code).toBe(429);
    expect(error.parameters.retry_after).toBe(30);
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the in-flight grace, before retry_after
    await api.sendMessage(9, "impatient").catch(() => undefined);
    expect(emulator.stats()).toMatchObject({ tooManyRequests: 2, ignoredRetryAfter: 1 });
  });

  it("limits all chats together to the global rate", async () => {
    emulator = await startBotApiEmulator({ globalRate: 20, perChatRate: 100, retryAfterSeconds: 30 });
    const api = new Api(TOKEN, { apiRoot: emulator.apiRoot });
    for (let chat = 1; chat <= 25; chat++) emulator.addChat(chat);
    const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => api.sendMessage(i + 1, "digest")));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    expect(emulator.stats().tooManyRequests).toBe(5);
  });
});
