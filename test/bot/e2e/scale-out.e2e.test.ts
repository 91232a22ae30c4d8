/**
 * Scale-out end to end (issue 6): TWO bot processes (`bot/main.ts`, each its own node process) in
 * webhook mode behind a round-robin load balancer, on one Redis, against the strict Bot API emulator.
 *
 * 1. 480 subscribers are put in the shared store before start and 20 more subscribe by webhook
 *    updates that the balancer spreads over both instances. A new seed file arrives; both crons fire
 *    on the same slots, one instance runs each slot; both delivery workers drain the shared outbox.
 *    Every chat gets the digest exactly once, both instances sent part of it, the emulator saw no
 *    broken rule, and the busiest second at the emulator stays within DELIVERY_RATE (the shared gate).
 * 2. Another seed file arrives; one instance is killed with SIGKILL mid-fan-out. The survivor sends
 *    the rest, including the items the dead one had claimed once their lease (DELIVERY_LEASE_SECONDS)
 *    runs out: no chat is missed, and repeats are at most the dead worker's claim batch.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, renameSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";
import { openRedisStorage, type Storage } from "../../../bot/storage.js";
import { extractQuotes, ingest } from "../../../digest/index.js";
import { CORPUS_DIR, tempDir } from "../../helpers/corpus.js";
import { deleteKeysUnder, uniqueKeyPrefix, useTestRedis, type TestRedis } from "../../helpers/redis-server.js";

const PROJECT = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN = fileURLToPath(new URL("../../../bot/main.ts", import.meta.url));
const TOKEN = "444444444:AAE-scale-out-token-0123456789abcdef";
const SECRET = "scale-out_secret";
const HOOK_PATH = "/telegram/hook";
/** Combined bulk rate of both instances; the emulator would take more, so only the gate keeps to it. */
const RATE = 50;
const EMULATOR_RATE = 80;
const LEASE_SECONDS = 3;
/** The delivery worker's claim batch (its concurrency, bot/delivery/worker.ts): what a killed worker can hold. */
const CLAIM_BATCH = 16;
const SEEDED = 480;
const BY_WEBHOOK = 20;
const FIRST_SEEDS = ["zh_046.txt", "en_009.txt"];
const NEW_SEED_1 = "seed.txt";
const NEW_SEED_2 = "en_010.txt";
const DIGEST = /^📰 (Digest|新闻摘要) ·/u;

const seededChats = Array.from({ length: SEEDED }, (_, i) => 5_000_001 + i);
const webhookChats = Array.from({ length: BY_WEBHOOK }, (_, i) => 6_000_001 + i);
const allChats = [...seededChats, ...webhookChats];

let redis: TestRedis;
const keyPrefix = uniqueKeyPrefix("scale-out");
const seeds = tempDir("scale-out-seeds");
const incoming = tempDir("scale-out-incoming");
const data = tempDir("scale-out-data");
let emulator: BotApiEmulator;
let storage: Storage;
let balancer: Balancer;
const instances: Instance[] = [];
/** Every digest message Telegram took: chat and arrival time (ms). */
const digestSends: Array<{ chatId: number; at: number }> = [];
const started = Date.now();

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** pino's JSON lines from stderr. */
  logs: Array<Record<string, unknown>>;
  workerId: string;
}

interface Balancer {
  url: string;
  /** Update requests forwarded to each backend port. */
  forwarded: Map<number, number>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The load balancer in front of the instances: each webhook POST goes to the next backend in turn;
 * a backend that does not answer gets the request's 502 (Telegram then delivers the update again).
 */
async function startBalancer(backends: () => number[]): Promise<Balancer> {
  const forwarded = new Map<number, number>();
  let turn = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const ports = backends();
      const port = ports[turn++ % ports.length]!;
      forwarded.set(port, (forwarded.get(port) ?? 0) + 1);
      const upstream = request(
        { host: "127.0.0.1", port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${HOOK_PATH}`,
    forwarded,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function startInstance(name: string, port: number): Promise<Instance> {
  // node with tsx as a loader: SIGKILL must hit the process that sends, not a wrapper around it.
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    cwd: PROJECT,
    env: {
      PATH: process.env.PATH ?? "",
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      SEEDS_DIR: seeds.dir,
      DATA_DIR: data.dir,
      REDIS_URL: (redis as Extract<TestRedis, { available: true }>).url,
      REDIS_KEY_PREFIX: keyPrefix,
      // Both crons are due every other second: each slot is claimed by one instance.
      DIGEST_CRON: "*/2 * * * * *",
      DELIVERY_RATE: String(RATE),
      DELIVERY_LEASE_SECONDS: String(LEASE_SECONDS),
      WEBHOOK_URL: balancer.url,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      LOG_LEVEL: "debug",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const instance: Instance = {
    name,
    port,
    child,
    logs: [],
    workerId: "",
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
  };
  let pending = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      try {
        instance.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        instance.logs.push({ msg: line });
      }
    }
  });
  return instance;
}

const logged = (instance: Instance, msg: string) => instance.logs.filter((line) => line.msg === msg);

async function until<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const tails = instances.map((i) => `${i.name}: ${i.logs.slice(-5).map((l) => JSON.stringify(l)).join("\n")}`).join("\n");
      throw new Error(`not within ${timeoutMs} ms: ${what}\n${tails}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Moves a corpus file into SEEDS_DIR in one step, so no scan ever sees half of it. */
function arrive(file: string): void {
  copyFileSync(join(CORPUS_DIR, file), join(incoming.dir, file));
  renameSync(join(incoming.dir, file), join(seeds.dir, file));
}

function digestsPerChat(from = 0): Map<number, number> {
  const counts = new Map<number, number>();
  for (const send of digestSends.slice(from)) counts.set(send.chatId, (counts.get(send.chatId) ?? 0) + 1);
  return counts;
}

/** Most digest messages the emulator took within any 1000 ms. */
function busiestSecond(sends: ReadonlyArray<{ at: number }>): number {
  const times = sends.map((s) => s.at).sort((a, b) => a - b);
  let best = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= 1000) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

async function outboxDrained(): Promise<boolean> {
  const stats = await storage.outbox.stats();
  return stats.pending === 0 && stats.claimed === 0;
}

beforeAll(async () => {
  redis = await useTestRedis();
  if (!redis.available) return;
  emulator = await startBotApiEmulator({ globalRate: EMULATOR_RATE, perChatRate: 1 });
  emulator.onEvent((event) => {
    if (event.kind === "sent" && DIGEST.test(event.message.text ?? "")) digestSends.push({ chatId: event.chatId, at: Date.now() });
  });
  for (const file of FIRST_SEEDS) copyFileSync(join(CORPUS_DIR, file), join(seeds.dir, file));
  // What `npm run ingest` does before the first start: the articles on hand are in the store, and
  // the seeded subscribers' cursors start after them.
  storage = await openRedisStorage({ url: redis.url, keyPrefix });
  const report = await ingest({ seedsDir: seeds.dir, store: storage.articles, fileIndex: storage.seedFiles, now: Date.now(), extract: extractQuotes });
  expect(report.added).toBe(FIRST_SEEDS.length);
  const cursor = await storage.articles.lastSeq();
  for (const chatId of seededChats) {
    await storage.subscribers.subscribe(chatId, { now: Date.now(), cursor, lang: "en" });
    emulator.addChat(chatId);
  }
  const ports = [await freePort(), await freePort()];
  balancer = await startBalancer(() => instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null).map((i) => i.port));
  instances.push(await startInstance("A", ports[0]!), await startInstance("B", ports[1]!));
  for (const instance of instances) {
    const ready = await until(() => logged(instance, "digest schedule started")[0] ?? (instance.child.exitCode !== null && "exited"), 40_000, `instance ${instance.name} up`);
    if (ready === "exited") throw new Error(`instance ${instance.name} exited: ${JSON.stringify(instance.logs)}`);
  }
}, 60_000);

afterAll(async () => {
  for (const instance of instances) {
    if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill("SIGTERM");
  }
  await Promise.all(
    instances.map((instance) =>
      Promise.race([instance.exited, new Promise((resolve) => setTimeout(resolve, 8_000)).then(() => instance.child.kill("SIGKILL"))]),
    ),
  );
  await balancer?.close();
  await emulator?.close();
  await storage?.close();
  if (redis?.available) {
    await deleteKeysUnder(redis.url, keyPrefix);
    await redis.stop();
  }
  seeds.remove();
  incoming.remove();
  data.remove();
  console.info(`scale-out e2e: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
});

describe("two instances behind a load balancer on one Redis", () => {
  it("serve updates landing on either instance, and fan the digest out once per chat within the shared rate", async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    for (const chatId of webhookChats) emulator.userSends("/subscribe", { chatId });
    for (const chatId of webhookChats) {
      const [reply] = await emulator.waitFor(() => emulator.chat(chatId).messages.length > 0 && emulator.chat(chatId).messages, 30_000);
      expect(reply!.text).toMatch(/^Subscribed\./);
    }
    // The balancer spread the updates: both instances answered some.
    expect([...balancer.forwarded.values()].filter((n) => n > 0)).toHaveLength(2);
    expect(await storage.subscribers.counts()).toEqual({ active: SEEDED + BY_WEBHOOK, paused: 0 });

    const phaseStart = Date.now();
    arrive(NEW_SEED_1);
    await until(() => allChats.every((chatId) => (digestsPerChat().get(chatId) ?? 0) >= 1), 45_000, "every chat has the first digest");
    await until(outboxDrained, 10_000, "the outbox is drained");
    // Late repeats would show up within a lease.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const fanOutSeconds = (Date.now() - phaseStart) / 1000;

    const perChat = digestsPerChat();
    expect(allChats.filter((chatId) => perChat.get(chatId) !== 1)).toEqual([]);
    expect(digestSends).toHaveLength(allChats.length);
    expect(emulator.violations).toEqual([]);
    expect(emulator.stats().ignoredRetryAfter).toBe(0);
    const busiest = busiestSecond(digestSends);
    expect(busiest).toBeLessThanOrEqual(RATE);

    // One digest run did the work (the slot's winner); no run found another holding the job lock.
    const runs = instances.flatMap((i) => logged(i, "digest run done").filter((l) => Number(l.enqueued) > 0).map(() => i.name));
    expect(runs).toHaveLength(1);
    expect(instances.flatMap((i) => logged(i, "digest run skipped: another run holds the lock"))).toEqual([]);
    const skippedSlots = instances.map((i) => logged(i, "digest tick skipped: another instance runs this slot").length);
    expect(skippedSlots.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // Both workers took part in the fan-out (the outbox records who sent each item).
    const workers = new Map<string, number>();
    for (let id = 1; id <= allChats.length; id++) {
      const item = await storage.outbox.item(id);
      expect(item?.status).toBe("sent");
      workers.set(item!.worker!, (workers.get(item!.worker!) ?? 0) + 1);
    }
    expect(workers.size).toBe(2);
    // Worker ids are "<host>-<pid>-<random>": find each instance's by its pid.
    for (const instance of instances) instance.workerId = [...workers.keys()].find((w) => w.includes(`-${instance.child.pid}-`)) ?? "";
    expect(instances.every((i) => i.workerId !== "")).toBe(true);

    // Only the slot's winner ingested the new file; the other instance's quote index learned it from
    // the store all the same: a quote lookup answers from either instance (one update to each).
    const before = new Map(balancer.forwarded);
    for (const chatId of [6_100_001, 6_100_002]) {
      emulator.userSends("/quotes 曹良铉", { chatId });
      const [reply] = await emulator.waitFor(() => emulator.chat(chatId).messages.length > 0 && emulator.chat(chatId).messages, 20_000);
      expect(reply!.text).toContain("曹良铉");
      expect(reply!.text).not.toMatch(/^No quotes found/);
    }
    expect([...balancer.forwarded].every(([port, n]) => n === (before.get(port) ?? 0) + 1)).toBe(true);
    console.info(
      `scale-out phase 1: ${digestSends.length} digests to ${allChats.length} chats in ${fanOutSeconds.toFixed(1)} s; ` +
        `busiest second ${busiest}/${RATE}; per worker ${JSON.stringify(Object.fromEntries(workers))}; ` +
        `updates per backend ${JSON.stringify(Object.fromEntries(balancer.forwarded))}; 429s ${emulator.stats().tooManyRequests}`,
    );
  }, 60_000);

  it("finish a killed instance's claimed items after its lease: no chat missed, repeats within its claim batch", async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    const [victim, survivor] = instances as [Instance, Instance];
    const phaseFrom = digestSends.length;
    arrive(NEW_SEED_2);
    // Some but not all of the fan-out went out, then the kill.
    await until(() => digestSends.length - phaseFrom >= 150, 30_000, "150 digests of the second fan-out");
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBe(null);
    const sentAtKill = digestSends.length - phaseFrom;
    expect(sentAtKill).toBeLessThan(allChats.length);
    const killedAt = Date.now();
    // What the dead worker held: claimed and never acked (read well within the lease).
    const secondIds = Array.from({ length: allChats.length }, (_, i) => allChats.length + 1 + i);
    const heldByVictim: number[] = [];
    for (const id of secondIds) {
      const item = await storage.outbox.item(id);
      if (item?.status === "claimed" && item.worker === victim.workerId) heldByVictim.push(id);
    }
    expect(Date.now() - killedAt).toBeLessThan(LEASE_SECONDS * 1000);
    expect(heldByVictim.length).toBeLessThanOrEqual(CLAIM_BATCH);

    await until(() => allChats.every((chatId) => (digestsPerChat(phaseFrom).get(chatId) ?? 0) >= 1), 45_000, "every chat has the second digest");
    await until(outboxDrained, 10_000, "the outbox is drained");
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const perChat = digestsPerChat(phaseFrom);
    const missing = allChats.filter((chatId) => (perChat.get(chatId) ?? 0) === 0);
    const repeats = allChats.reduce((n, chatId) => n + Math.max(0, (perChat.get(chatId) ?? 0) - 1), 0);
    expect(missing).toEqual([]);
    expect(repeats).toBeLessThanOrEqual(CLAIM_BATCH);
    expect(emulator.violations).toEqual([]);
    expect(emulator.stats().ignoredRetryAfter).toBe(0);
    const busiest = busiestSecond(digestSends.slice(phaseFrom));
    expect(busiest).toBeLessThanOrEqual(RATE);

    // The survivor took the dead worker's items once their lease ran out, and sent them.
    expect(await storage.outbox.stats()).toMatchObject({ pending: 0, claimed: 0, failed: 0 });
    for (const id of heldByVictim) expect(await storage.outbox.item(id)).toMatchObject({ status: "sent", worker: survivor.workerId });
    // Repeats are sends the dead worker made but never acked: only items it held can repeat.
    expect(repeats).toBeLessThanOrEqual(heldByVictim.length);
    console.info(
      `scale-out phase 2: killed ${victim.name} after ${sentAtKill} of ${allChats.length} sends, holding ${heldByVictim.length} claimed items; ` +
        `${repeats} repeated sends; busiest second ${busiest}/${RATE}; ` +
        `all sent ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (lease ${LEASE_SECONDS} s, incl. 1 s settle)`,
    );
  }, 60_000);
});
