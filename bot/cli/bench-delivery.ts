/**
 * Delivery benchmark (issue 5, "Measured"): a fan-out of one real digest to N subscribers through
 * the delivery worker, against the Bot API emulator in this process with Telegram's limits, while a
 * user sends a /latest-like command every so often through the bot's reply lane.
 *
 *   npx tsx bot/cli/bench-delivery.ts                      # 10,000 subscribers, 30 msg/s, 1/s per chat
 *   SUBSCRIBERS=100000 EMULATOR_RATE=2000 DELIVERY_RATE=2000 npx tsx bot/cli/bench-delivery.ts   # memory run
 *
 * Prints: the fan-out rate as a fraction of DELIVERY_RATE, 429s received and ignored, reply
 * latency p50/p99/max, peak RSS and heap. The emulator shares the process, so RSS includes it
 * (it keeps one message per chat here).
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Api } from "grammy";
import { composeDigest } from "../../digest/compose.js";
import { extractQuotes, openSqlite, parseArticle, type StoredArticle } from "../../digest/index.js";
import { createSqliteOutbox } from "../../digest/store/sqlite-outbox.js";
import { createSqliteSubscriberStore } from "../../digest/store/sqlite-subscribers.js";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDeliveryApi, createDeliveryWorker, SendBudget } from "../deliver.js";
import { startBotApiEmulator } from "../emulator/index.js";
import { createLogger } from "../logger.js";
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
  return { id: `${digest.id}-zh`, payload: renderDigest(digest, "zh") };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-delivery-"));
  const emulator = await startBotApiEmulator({
    globalRate: EMULATOR_RATE,
    perChatRate: PER_CHAT_RATE,
    historyLimit: 1,
    callLogLimit: 1000,
  });
  const db = openSqlite({ dataDir: dir });
  const outbox = createSqliteOutbox(db);
  const subscribers = createSqliteSubscriberStore(db);
  const users = Array.from({ length: 50 }, (_, i) => 900_000_000 + i);
  const setupStarted = performance.now();
  const chats = Array.from({ length: SUBSCRIBERS }, (_, i) => 100_000 + i);
  for (const chatId of chats) {
    await subscribers.subscribe(chatId, { now: Date.now(), cursor: 0, lang: "zh" });
    emulator.addChat(chatId);
  }
  for (const user of users) emulator.addChat(user);
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
    api: createDeliveryApi({ token: TOKEN, apiRoot: emulator.apiRoot, budget }),
    logger,
    workerId: "bench",
    progressEveryMs: 15_000,
  });
  // The bot's own Api: reply lane of the same budget, auto-retry outermost as in create-bot.ts.
  const botApi = new Api(TOKEN, { apiRoot: emulator.apiRoot });
  botApi.config.use(budget.transformer("reply"));
  botApi.config.use(autoRetry({ maxDelaySeconds: 120, maxRetryAttempts: 10 }));

  // What setup (stores, emulator with every chat, tsx) already holds, to tell the fan-out's own share.
  const rssBeforeFanOut = process.memoryUsage().rss;
  let peakRss = 0;
  let peakHeap = 0;
  const sampleMemory = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const memoryTimer = setInterval(sampleMemory, 250);

  // The fan-out's span: from the first digest message Telegram took to the last one.
  const userChats = new Set(users);
  let firstSendAt = 0;
  let lastSendAt = 0;
  const offFirst = emulator.onEvent((event) => {
    if (event.kind !== "call" || event.call.method !== "sendMessage" || !event.call.ok) return;
    if (userChats.has(event.call.params.chat_id as number)) return;
    if (firstSendAt === 0) firstSendAt = performance.now();
    lastSendAt = performance.now();
  });
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
  offFirst();
  clearInterval(memoryTimer);
  sampleMemory();

  const stats = emulator.stats();
  const fanOutSeconds = (lastSendAt - firstSendAt) / 1000;
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
    tooManyRequests: stats.tooManyRequests,
    ignoredRetryAfter: stats.ignoredRetryAfter,
    violations: emulator.violations.length,
    replies: {
      count: latencies.length,
      p50ms: Math.round(percentile(sorted, 50)),
      p99ms: Math.round(percentile(sorted, 99)),
      maxMs: Math.round(sorted[sorted.length - 1] ?? Number.NaN),
    },
    rssBeforeFanOutMB: Math.round(rssBeforeFanOut / 1024 / 1024),
    peakRssMB: Math.round(peakRss / 1024 / 1024),
    peakHeapMB: Math.round(peakHeap / 1024 / 1024),
    node: process.version,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  db.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
