/**
 * Crash safety, for real (issue 5): a fan-out runs in a child process against the emulator with a
 * SQLite outbox, is killed with SIGKILL at random points, and restarted. Afterwards every subscriber
 * has the digest, and the only repeats are sends that were in flight at a kill (at most
 * `MAX_IN_FLIGHT` per kill), counted from the emulator's record of messages per chat.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openSqlite } from "../../digest/index.js";
import { createSqliteOutbox } from "../../digest/store/sqlite-outbox.js";
import { createSqliteSubscriberStore } from "../../digest/store/sqlite-subscribers.js";
import { startBotApiEmulator, type BotApiEmulator } from "../../bot/emulator/index.js";
import { tempDir } from "../helpers/corpus.js";
import { corpusPayload } from "./digest-fixtures.js";

const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./deliver-crash.child.ts", import.meta.url));
const SUBSCRIBERS = 300;
const RATE = 100;
const MAX_IN_FLIGHT = 4;
const KILLS = 4;

let emulator: BotApiEmulator;
let temp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  emulator = await startBotApiEmulator({ globalRate: RATE, perChatRate: 1 });
  temp = tempDir("deliver-crash");
});
afterAll(async () => {
  await emulator.close();
  temp.remove();
});

function startChild(dbFile: string, run: number): { child: ChildProcess; exited: Promise<number | null> } {
  // node itself with tsx as a loader: SIGKILL must hit the process that sends, not a tsx wrapper around it.
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    cwd: PROJECT,
    env: {
      ...process.env,
      DB_FILE: dbFile,
      API_ROOT: emulator.apiRoot,
      RATE: String(RATE),
      MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
      WORKER_ID: `crash-run-${run}`,
      LEASE_MS: "1500",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`crash child ${run} exited ${code}: ${stderr}\n`);
      resolve(code);
    }),
  );
  return { child, exited };
}

it(
  "after SIGKILLs at random points and restarts, every subscriber has the digest once, bar sends in flight at a kill",
  async () => {
    const dbFile = join(temp.dir, "crash.sqlite");
    const chats = Array.from({ length: SUBSCRIBERS }, (_, i) => 1_000 + i);
    const db = openSqlite({ file: dbFile });
    const subscribers = createSqliteSubscriberStore(db);
    for (const chatId of chats) {
      await subscribers.subscribe(chatId, { now: 1, cursor: 0, lang: "en" });
      emulator.addChat(chatId);
    }
    const digest = corpusPayload("en", 1);
    expect(digest.payload.messages).toHaveLength(1);
    await createSqliteOutbox(db).enqueueDigest(digest, chats, 1, Date.now());
    db.close();

    // Kill points spread over the fan-out, each at a random count of messages sent.
    const killAt: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const low = Math.floor((SUBSCRIBERS * k) / (KILLS + 1)) + 5;
      killAt.push(low + Math.floor(Math.random() * (SUBSCRIBERS / (KILLS + 1) - 10)));
    }
    const sentAtKill: number[] = [];
    for (const [run, threshold] of killAt.entries()) {
      const { child, exited } = startChild(dbFile, run);
      await emulator.waitFor(() => emulator.stats().sent >= threshold, 30_000);
      // waitFor wakes as Telegram takes a send, before the child has its answer: a random delay
      // lands the kill anywhere in the send / ack cycle, not always right after a send.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      child.kill("SIGKILL");
      expect(await exited).toBe(null); // killed, not finished
      sentAtKill.push(emulator.stats().sent);
    }
    const last = startChild(dbFile, KILLS);
    expect(await last.exited).toBe(0);

    const perChat = emulator.stats().sentPerChat;
    const missing = chats.filter((chatId) => (perChat.get(chatId) ?? 0) === 0);
    const repeats = chats.reduce((n, chatId) => n + Math.max(0, (perChat.get(chatId) ?? 0) - 1), 0);
    expect(missing).toEqual([]);
    expect(repeats).toBeLessThanOrEqual(KILLS * MAX_IN_FLIGHT);
    expect(emulator.stats().ignoredRetryAfter).toBe(0);
    expect(emulator.violations).toEqual([]);
    // Kills landed mid-fan-out, at distinct points.
    expect(sentAtKill.every((n) => n > 0 && n < SUBSCRIBERS)).toBe(true);

    const after = openSqlite({ file: dbFile });
    expect(await createSqliteOutbox(after).stats()).toEqual({ pending: 0, claimed: 0, sent: SUBSCRIBERS, failed: 0 });
    after.close();
    console.info(`crash test: kills after ${sentAtKill.join(", ")} sends; ${repeats} repeated sends in ${SUBSCRIBERS} chats`);
  },
  120_000,
);
