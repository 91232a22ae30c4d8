/**
 * The digest end to end: the real app (ingest, indexes, grammY over HTTP by long polling, the
 * digest schedule firing every second, the delivery worker) against the strict Bot API emulator.
 * Users subscribe; new seed files arrive in SEEDS_DIR; the next scheduled run ingests them, the
 * quote index learns them, and each active subscriber gets exactly one digest — the one who blocked
 * the bot is paused by my_chat_member, the one whose account is gone is paused by the 403 on send.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import type { Message } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../../bot/app.js";
import type { BotApiEmulator } from "../../../bot/emulator/index.js";
import { createLogger } from "../../../bot/logger.js";
import { CORPUS_DIR } from "../../helpers/corpus.js";
import { startRunningApp, type RunningApp } from "./running-app.js";

const TOKEN = "333333333:AAE-digest-e2e-token-0123456789abcdef";
const ADMIN = 3900;
/** In SEEDS_DIR from the start; the subscribers' cursors start after them. */
const FIRST_SEEDS = ["zh_046.txt", "en_009.txt"];
/** Copied in later: seed.txt quotes 曹良铉, whom none of the first ones mention. */
const NEW_SEEDS = ["seed.txt", "zh_001.txt"];
const READERS = [3101, 3102, 3103];
const BLOCKER = 3104;
const GONE = 3105;
/** The digest job's lock name (bot/digest-job.ts): held by the test while files are copied. */
const JOB_LOCK = "digest-job";

let running: RunningApp;
let emulator: BotApiEmulator;
let app: App;
const handled = new Set<number>();
let seedsDir: string;

beforeAll(async () => {
  running = await startRunningApp({
    name: "digest-e2e",
    token: TOKEN,
    seeds: FIRST_SEEDS,
    env: { DIGEST_CRON: "* * * * * *", DIGEST_TZ: "Asia/Shanghai", ADMIN_IDS: String(ADMIN) },
    logger: createLogger("silent"),
    onUpdateHandled: (id) => handled.add(id),
  });
  ({ emulator, app, seedsDir } = running);
}, 60_000);

afterAll(() => running?.close());

async function say(chatId: number, text: string): Promise<Message[]> {
  const before = emulator.hasChat(chatId) ? emulator.chat(chatId).messages.length : 0;
  const update = emulator.userSends(text, { chatId });
  await emulator.waitFor(() => handled.has(update.update_id), 30_000);
  return emulator.chat(chatId).messages.slice(before);
}

/** Polls an async condition (the stores are outside the emulator's events). */
async function eventually<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const digestsIn = (chatId: number) =>
  emulator.hasChat(chatId) ? emulator.chat(chatId).messages.filter((m) => /^📰 (Digest|新闻摘要) ·/u.test(m.text ?? "")) : [];

describe("the scheduled digest", () => {
  it("subscribers get nothing while nothing new arrives, and 曹良铉 is not known yet", async () => {
    for (const chatId of [...READERS, BLOCKER, GONE]) {
      const [reply] = await say(chatId, "/subscribe");
      expect(reply!.text).toMatch(/^Subscribed\./);
    }
    emulator.deactivate(GONE);
    const blocked = emulator.block(BLOCKER);
    await emulator.waitFor(() => handled.has(blocked.update_id), 10_000);
    expect((await app.deps.subscribers.get(BLOCKER))?.status).toBe("paused");

    // Several ticks go by (every second): each ingests, finds nothing new, queues nothing.
    const runsBefore = app.schedule.lastRun()?.finishedAt ?? 0;
    await eventually(async () => (app.schedule.lastRun()?.finishedAt ?? 0) > runsBefore + 1500, 10_000, "two more ticks");
    for (const chatId of [...READERS, GONE]) expect(digestsIn(chatId)).toEqual([]);
    const [quotes] = await say(3101, "/quotes 曹良铉");
    expect(quotes!.text).not.toContain("韩国国立外交院");
  }, 60_000);

  it("new seed files: the next run delivers exactly one digest to each active subscriber", async () => {
    // Hold the job's lock while copying, so that one run sees both files (a tick between the two
    // copies would make two digests, correctly, but not the one this test counts).
    const lock = app.storage.lock;
    await eventually(() => lock.acquire(JOB_LOCK, "e2e-test", 60_000, Date.now()), 10_000, "the digest lock");
    for (const file of NEW_SEEDS) copyFileSync(join(CORPUS_DIR, file), join(seedsDir, file));
    expect(await lock.release(JOB_LOCK, "e2e-test")).toBe(true);

    // /latest answers while the run and the fan-out go on.
    const asked = Date.now();
    const latest = await say(3102, "/latest");
    expect(latest.length).toBeGreaterThan(0);
    expect(Date.now() - asked).toBeLessThan(5_000);

    for (const chatId of READERS) {
      await emulator.waitFor(() => digestsIn(chatId).length > 0, 20_000);
    }
    const gone = await eventually(async () => {
      const subscriber = await app.deps.subscribers.get(GONE);
      return subscriber?.status === "paused" ? subscriber : null;
    }, 20_000, "the deactivated user's subscription paused by the 403");
    expect(gone.pausedReason).toMatch(/deactivated/);

    // A few more ticks: nothing new, so nothing more for anyone.
    const seen = app.schedule.lastRun()?.finishedAt ?? 0;
    await eventually(async () => (app.schedule.lastRun()?.finishedAt ?? 0) > seen + 2000, 10_000, "more ticks");
    await app.worker.idle();
    for (const chatId of READERS) {
      const digests = digestsIn(chatId);
      expect(digests, `chat ${chatId}`).toHaveLength(1);
      expect(digests[0]!.text).toMatch(/· 2 new articles/);
    }
    expect(digestsIn(BLOCKER)).toEqual([]);
    expect(digestsIn(GONE)).toEqual([]);
    expect((await app.deps.subscribers.get(BLOCKER))?.status).toBe("paused");
    expect(await app.storage.outbox.stats()).toEqual({ pending: 0, claimed: 0, sent: READERS.length, failed: 1 });
  }, 90_000);

  it("the quote index learned the articles the cron job ingested", async () => {
    const [reply] = await say(3103, "/quotes 曹良铉");
    expect(reply!.text).toContain("曹良铉");
    expect(reply!.text).toContain("韩国国立外交院");
  }, 30_000);

  it("/stats shows the outbox, the paused subscriptions and the runs; /digest runs now", async () => {
    const [stats] = await say(ADMIN, "/stats");
    expect(stats!.text).toContain(`Outbox: 0 pending, 0 sending, ${READERS.length} sent, 1 failed`);
    expect(stats!.text).toContain("Paused subscriptions: 2");
    expect(stats!.text).toMatch(/Last digest run: \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\) — \d+ digest\(s\), \d+ queued/);
    expect(stats!.text).toMatch(/Next digest: \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\)/);
    expect(stats!.text).toContain("Articles: 4");

    // A tick may be running at this moment: then /digest says so instead of doubling it.
    const [answer] = await say(ADMIN, "/digest");
    expect(answer!.text).toMatch(/^(Nothing new for any of the 3 active subscribers: no digest queued\.|A digest run is already going)/);
  }, 30_000);

  it("ends with zero emulator violations and no ignored retry_after", () => {
    expect(emulator.violations).toEqual([]);
    expect(emulator.stats().ignoredRetryAfter).toBe(0);
  });
});
