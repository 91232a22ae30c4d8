/**
 * Production start as `npm start` runs it (long polling through TELEGRAM_API_ROOT), then SIGTERM
 * and SIGINT: the process stops taking updates, finishes, closes the store and exits 0.
 */
import { spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";
import { CORPUS_DIR, tempDir } from "../../helpers/corpus.js";

const PROJECT = fileURLToPath(new URL("../../../", import.meta.url));
const TOKEN = "555555555:AAE-signals-test-token-0123456789abcdef";
let emulator: BotApiEmulator;
const seeds = tempDir("signals-seeds");
const data = tempDir("signals-data");

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  copyFileSync(join(CORPUS_DIR, "seed.txt"), join(seeds.dir, "seed.txt"));
});
afterAll(async () => {
  await emulator.close();
  seeds.remove();
  data.remove();
});

it.each(["SIGTERM", "SIGINT"] as const)("answers by long polling, then stops cleanly on %s", async (signal) => {
  const child = spawn(join(PROJECT, "node_modules/.bin/tsx"), ["bot/main.ts"], {
    cwd: PROJECT,
    env: { ...process.env, BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot, SEEDS_DIR: seeds.dir, DATA_DIR: data.dir,
      WEBHOOK_URL: "", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  child.stderr.on("data", (chunk) => (logs += chunk));
  child.stdout.on("data", (chunk) => (logs += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));

  const chatId = signal === "SIGTERM" ? 4001 : 4002;
  await emulator.waitFor(() => logs.includes("long polling"), 30_000);
  emulator.userSends("/quotes 曹良铉", { chatId });
  const reply = await emulator.waitFor(() => emulator.chat(chatId).messages[0], 15_000);
  expect(reply.text).toContain("曹良铉");

  child.kill(signal);
  const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000))]);
  expect(code).toBe(0);
  expect(logs).toContain('"msg":"stopped"');
  expect(logs).not.toContain(TOKEN.split(":")[1]);
  expect(emulator.violations).toEqual([]);
}, 60_000);
