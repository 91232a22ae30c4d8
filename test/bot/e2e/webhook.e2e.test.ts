/**
 * Webhook mode (WEBHOOK_URL set): the app listens on PORT, registers the webhook with its secret,
 * and the emulator delivers updates there. A request without the right
 * X-Telegram-Bot-Api-Secret-Token gets 401 and reaches no handler.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { App } from "../../../bot/app.js";
import type { BotApiEmulator } from "../../../bot/emulator/index.js";
import { createLogger } from "../../../bot/logger.js";
import { startRunningApp, type RunningApp } from "./running-app.js";

const SECRET = "s3cret-webhook_token";
let running: RunningApp;
let emulator: BotApiEmulator;
let app: App;
let port: number;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  port = await freePort();
  running = await startRunningApp({
    name: "webhook",
    token: "987654321:AAE-webhook-test-token-0123456789abcd",
    seeds: ["seed.txt"],
    env: {
      WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook`,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      LOG_LEVEL: "silent",
    },
    logger: createLogger("silent"),
  });
  ({ emulator, app } = running);
}, 60_000);

afterAll(() => running?.close());

it("receives updates by webhook and answers them", async () => {
  expect(app.webhookAddress()?.port).toBe(port);
  emulator.userSends("/quotes 曹良铉", { chatId: 3001 });
  const reply = await emulator.waitFor(() => emulator.chat(3001).messages[0], 15_000);
  expect(reply.text).toContain("曹良铉");
  expect(emulator.violations).toEqual([]);
});

it("refuses a request with a wrong or missing secret token with 401", async () => {
  const update = { update_id: 999_999, message: { message_id: 1, date: 0, chat: { id: 3002, type: "private" }, text: "/start" } };
  const url = `http://127.0.0.1:${port}/telegram/hook`;
  const wrong = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "nope" },
    body: JSON.stringify(update),
  });
  expect(wrong.status).toBe(401);
  const missing = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(update) });
  expect(missing.status).toBe(401);
  const elsewhere = await fetch(`http://127.0.0.1:${port}/other`, { method: "POST", body: "{}" });
  expect(elsewhere.status).toBe(404);
  await new Promise((r) => setTimeout(r, 200));
  // Had the update reached the bot, it would have tried to answer chat 3002.
  expect(emulator.calls.filter((c) => c.params.chat_id === 3002)).toEqual([]);
});
