/**
 * Delivery benchmark (issue 5, "Measured"): a fan-out of one real digest to N subscribers through
 * the delivery worker, against the Bot API emulator in this process with Telegram's limits, while a
 * user sends a /latest-like command every so often through the bot's reply lane.
 *
 *   npx tsx bot/cli/bench-delivery.ts                      # 10,000 subscribers, 30 msg/s, 1/s per chat
 *   SUBSCRIBERS=100000 EMULATOR_RATE=2000 DELIVERY_RATE=2000 npx tsx bot/cli/bench-delivery.ts   # memory run
 *
 * Prints: the fan-out rate as a fraction of DELIVERY_RATE, 429s received and ignored, reply
 * latency p50/p99/max, peak RSS and heap of the delivering process. The emulator runs in a child
 * process of its own (this script with --emulator-child), so its memory (one message per chat) is
 * not counted against the worker.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Api } from "grammy";
import {
  composeDigest,
  createSqliteOutbox,
  createSqliteSubscriberStore,
  extractQuotes,
  openSqlite,
  parseArticle,
  type StoredArticle,
} from "../../digest/index.js";
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDeliveryApi, createDeliveryWorker, SendBudget } from "../deliver.js";
import { startBotApiEmulator, type BotApiEmulator } from "../emulator/index.js";
import { createLogger } from "../logger.js";
import { defaultTranslate } from "../digest-job.js";
import { renderDigest } from "../render/digest.js";

const number = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
};

const SUBSCRIBERS = number("SUBSCRIBERS", 10_000);
const DELIVERY_RATE = number("DELIVERY_RATE", 30);
const EMULATOR_RATE = number("EMULATOR_RATE", 30);
const PER_CHAT_RATE = number("PER_CHAT_RATE", 1);
const LATEST_EVERY_MS = number("LATEST_EVERY_MS", 2000);
const SEEDS = process.env.SEEDS_DIR ?? fileURLToPath(new URL("../../seeds/", import.meta.url));
const TOKEN = "123456:bench-token-abcdefghijklmnopqrstuv";

function loadDigestPayload() {
  const files = readdirSync(SEEDS).filter((f) => f.endsWith(".txt")).sort().slice(0, 3);
  const stored: StoredArticle[] = files.map((file, i) => {
    const article = parseArticle(readFileSync(join(SEEDS, file)), file);
    return { article, quotes: extractQuotes(article), seq: i + 1, ingestedAt: 0, updatedAt: 0 };
  });
  const digest = composeDigest(stored, { now: Date.now(), tz: "Asia/Taipei", max: 10 });
  if (!digest) throw new Error(`no articles in ${SEEDS}`);
  return { id: `${digest.id}-zh`, payload: renderDigest(digest, defaultTranslate("zh")) };
}


// ---- the emulator in its own process, driven over IPC ----

type EmulatorRequest =
  | { id: number; type: "addChats"; chatIds: number[] }
  | { id: number; type: "stats" }
  | { id: number; type: "close" };

interface EmulatorReport {
  sent: number;
  tooManyRequests: number;
  ignoredRetryAfter: number;
  violations: number;
  /** Epoch ms of the first and last digest message accepted (user chats excluded). */
  firstSendAt: number;
  lastSendAt: number;
  sentPerChatMax: number;
  chatsReached: number;
}

async function runEmulatorChild(): Promise<void> {
  const emulator: BotApiEmulator = await startBotApiEmulator({
    globalRate: EMULATOR_RATE,
    perChatRate: PER_CHAT_RATE,
    historyLimit: 1,
    callLogLimit: 1000,
  });
  const userChats = new Set<number>();
  let firstSendAt = 0;
  let lastSendAt = 0;
  emulator.onEvent((event) => {
    if (event.kind !== "call" || event.call.method !== "sendMessage" || !event.call.ok) return;
    if (userChats.has(event.call.params.chat_id as number)) return;
    if (firstSendAt === 0) firstSendAt = Date.now();
    lastSendAt = Date.now();
  });
  process.on("message", (request: EmulatorRequest & { users?: number[] }) => {
    const reply = (body: unknown) => process.send!({ id: request.id, body });
    if (request.type === "addChats") {
      for (const chatId of request.chatIds) emulator.addChat(chatId);
      for (const user of request.users ?? []) userChats.add(user);
      reply(null);
    } else if (request.type === "stats") {
      const stats = emulator.stats();
      const report: EmulatorReport = {
        sent: stats.sent,
        tooManyRequests: stats.tooManyRequests,
        ignoredRetryAfter: stats.ignoredRetryAfter,
        violations: emulator.violations.length,
        firstSendAt,
        lastSendAt,
        sentPerChatMax: [...stats.sentPerChat].reduce((max, [chat, n]) => (userChats.has(chat) ? max : Math.max(max, n)), 0),
        chatsReached: [...stats.sentPerChat.keys()].filter((chat) => !userChats.has(chat)).length,
      };
      reply(report);
    } else {
      void emulator.close().then(() => {
        reply(null);
        process.exit(0);
      });
    }
  });
  process.send!({ id: 0, body: emulator.apiRoot });
}

function emulatorClient(child: ChildProcess) {
  let nextId = 1;
  const pending = new Map<number, (body: unknown) => void>();
  child.on("message", (message: { id: number; body: unknown }) => {
    pending.get(message.id)?.(message.body);
    pending.delete(message.id);
  });
  const call = <T>(request: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (body: unknown) => void);
      child.send({ ...request, id });
    });
  return {
    ready: new Promise<string>((resolve) => pending.set(0, resolve as (body: unknown) => void)),
    addChats: (chatIds: number[], users: number[] = []) => call<null>({ type: "addChats", chatIds, users }),
    stats: () => call<EmulatorReport>({ type: "stats" }),
    close: () => call<null>({ type: "close" }),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-delivery-"));
  const child = fork(fileURLToPath(import.meta.url), ["--emulator-child"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const emulator = emulatorClient(child);
  const apiRoot = await emulator.ready;
  const db = openSqlite({ dataDir: dir });
  const outbox = createSqliteOutbox(db);
  const subscribers = createSqliteSubscriberStore(db);
  const users = Array.from({ length: 50 }, (_, i) => 900_000_000 + i);
  const setupStarted = performance.now();
  const chats = Array.from({ length: SUBSCRIBERS }, (_, i) => 100_000 + i);
  for (const chatId of chats) await subscribers.subscribe(chatId, { now: Date.now(), cursor: 0, lang: "zh" });
  for (let i = 0; i < chats.length; i += 10_000) await emulator.addChats(chats.slice(i, i + 10_000));
  await emulator.addChats(users, users);
  const digest = loadDigestPayload();
  await outbox.enqueueDigest(digest, chats, 3, Date.now());
  const perDigest = digest.payload.messages.length;
  const total = SUBSCRIBERS * perDigest;
  process.stderr.write(
    `setup: ${SUBSCRIBERS} subscribers, digest of ${perDigest} message(s) (${digest.payload.messages.map((m) => m.text.length).join("+")} chars) in ${Math.round(performance.now() - setupStarted)} ms\n`,
  );

  const budget = new SendBudget({ rate: DELIVERY_RATE });
  const logger = createLogger(process.env.LOG_LEVEL ?? "info");
  const worker = createDeliveryWorker({
    outbox,
    subscribers,
    api: createDeliveryApi({ token: TOKEN, apiRoot, budget }),
    logger,
    workerId: "bench",
    progressEveryMs: 15_000,
  });
  // The bot's own Api: reply lane of the same budget, auto-retry outermost as in create-bot.ts.
  const botApi = new Api(TOKEN, { apiRoot });
  botApi.config.use(budget.transformer("reply"));
  botApi.config.use(autoRetry({ maxDelaySeconds: 120, maxRetryAttempts: 10 }));

  // What setup (stores, emulator with every chat, tsx) already holds, to tell the fan-out's own share.
  (globalThis as { gc?: () => void }).gc?.();
  const rssBeforeFanOut = process.memoryUsage().rss;
  const heapBeforeFanOut = process.memoryUsage().heapUsed;
  let peakRss = 0;
  let peakHeap = 0;
  const sampleMemory = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const memoryTimer = setInterval(sampleMemory, 250);

  const latencies: number[] = [];
  let fanOutDone = false;
  let replies = 0;
  const replyLoop = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    while (!fanOutDone) {
      const user = users[replies % users.length]!;
      const message = digest.payload.messages[0]!;
      const started = performance.now();
      await botApi.sendMessage(user, message.text, { entities: message.entities });
      latencies.push(performance.now() - started);
      replies += 1;
      await new Promise((resolve) => setTimeout(resolve, LATEST_EVERY_MS));
    }
  })();

  const started = performance.now();
  worker.start();
  for (;;) {
    await worker.idle();
    const stats = await outbox.stats();
    if (stats.pending === 0 && stats.claimed === 0) break;
  }
  const finished = performance.now();
  fanOutDone = true;
  await replyLoop;
  await worker.stop();
  clearInterval(memoryTimer);
  sampleMemory();
  // With --expose-gc: what stays once garbage is collected (does memory grow with the subscribers?).
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapAfterGc = gc ? process.memoryUsage().heapUsed : Number.NaN;

  const stats = await emulator.stats();
  const fanOutSeconds = (stats.lastSendAt - stats.firstSendAt) / 1000;
  const fanOutSent = worker.counters.sent;
  // n messages span n - 1 gaps.
  const achieved = (fanOutSent - 1) / fanOutSeconds;
  const repliesDuring = replies;
  const sorted = [...latencies].sort((a, b) => a - b);
  const outboxStats = await outbox.stats();
  const result = {
    subscribers: SUBSCRIBERS,
    messagesPerDigest: perDigest,
    deliveryRate: DELIVERY_RATE,
    emulator: { globalRate: EMULATOR_RATE, perChatRate: PER_CHAT_RATE },
    fanOut: {
      sent: fanOutSent,
      expected: total,
      seconds: Math.round(fanOutSeconds * 10) / 10,
      ratePerSecond: Math.round(achieved * 100) / 100,
      fractionOfConfigured: Math.round((achieved / DELIVERY_RATE) * 1000) / 1000,
      withRepliesFraction: Math.round(((fanOutSent - 1 + repliesDuring) / fanOutSeconds / DELIVERY_RATE) * 1000) / 1000,
      drainSeconds: Math.round(((finished - started) / 1000) * 10) / 10,
    },
    outbox: outboxStats,
    chatsReached: stats.chatsReached,
    mostMessagesToOneChat: stats.sentPerChatMax,
    tooManyRequests: stats.tooManyRequests,
    ignoredRetryAfter: stats.ignoredRetryAfter,
    violations: stats.violations,
    replies: {
      count: latencies.length,
      p50ms: Math.round(percentile(sorted, 50)),
      p99ms: Math.round(percentile(sorted, 99)),
      maxMs: Math.round(sorted[sorted.length - 1] ?? Number.NaN),
    },
    rssBeforeFanOutMB: Math.round(rssBeforeFanOut / 1024 / 1024),
    heapBeforeFanOutMB: Math.round(heapBeforeFanOut / 1024 / 1024),
    peakRssMB: Math.round(peakRss / 1024 / 1024),
    // The kernel's high-water mark for this process (KB), which no sampling interval can miss.
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapMB: Math.round(peakHeap / 1024 / 1024),
    heapAfterGcMB: Math.round(heapAfterGc / 1024 / 1024),
    node: process.version,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  db.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes("--emulator-child")) await runEmulatorChild();
else await main();
