/**
 * The delivery worker against the strict Bot API emulator over real HTTP, with the outbox and the
 * subscribers in a real SQLite file: exactly-once fan-out, 429 storms honoured, unreachable chats
 * paused, malformed messages failed once, transient errors retried, replies never queued behind
 * the fan-out, and a clean stop.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, type Transformer } from "grammy";
import { openSqlite, type SqliteDb, type SubscriberStore } from "../../digest/index.js";
import { createSqliteOutbox } from "../../digest/store/sqlite-outbox.js";
import { createSqliteSubscriberStore } from "../../digest/store/sqlite-subscribers.js";
import type { Outbox } from "../../digest/store/outbox.js";
import {
  classifySendError,
  createDeliveryApi,
  createDeliveryWorker,
  SendBudget,
  type DeliveryWorker,
} from "../../bot/deliver.js";
import { startBotApiEmulator, type BotApiEmulator, type BotApiEmulatorOptions } from "../../bot/emulator/index.js";
import { MESSAGE_LIMIT } from "../../bot/render.js";
import { tempDir } from "../helpers/corpus.js";
import { corpusPayload, memoryLogger, type LogLine } from "./digest-fixtures.js";

const TOKEN = "123456:delivery-test-token-abcdefghijklmnop";

interface Rig {
  emulator: BotApiEmulator;
  db: SqliteDb;
  outbox: Outbox;
  subscribers: SubscriberStore;
  budget: SendBudget;
  worker: DeliveryWorker;
  lines: LogLine[];
}

let cleanup: Array<() => Promise<void> | void> = [];
beforeEach(() => {
  cleanup = [];
});
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function rig(options: {
  emulator?: BotApiEmulatorOptions;
  rate: number;
  chats: number[];
  transformers?: Transformer[];
  worker?: Partial<Parameters<typeof createDeliveryWorker>[0]>;
}): Promise<Rig> {
  const emulator = await startBotApiEmulator(options.emulator);
  cleanup.push(() => emulator.close());
  const temp = tempDir("deliver-test");
  cleanup.push(temp.remove);
  const db = openSqlite({ dataDir: temp.dir });
  cleanup.push(() => db.close());
  const outbox = createSqliteOutbox(db);
  const subscribers = createSqliteSubscriberStore(db);
  for (const chatId of options.chats) await subscribers.subscribe(chatId, { now: 1, cursor: 0, lang: "zh" });
  const budget = new SendBudget({ rate: options.rate });
  const api = createDeliveryApi({ token: TOKEN, apiRoot: emulator.apiRoot, budget, transformers: options.transformers ?? [] });
  const { logger, lines } = memoryLogger("debug");
  const worker = createDeliveryWorker({
    outbox,
    subscribers,
    api,
    logger,
    workerId: "test-worker",
    pollMs: 50,
    backoff: { baseMs: 50, maxMs: 200 },
    ...options.worker,
  });
  cleanup.push(() => worker.stop());
  return { emulator, db, outbox, subscribers, budget, worker, lines };
}

const botMessages = (emulator: BotApiEmulator, chatId: number) => emulator.chat(chatId).messages;

describe("delivery worker on the emulator", () => {
  it("renews the lease of a send that waits longer than the lease: a second worker never sends it too", async () => {
    // The first send of chat 7001 is held 1.5 s (a long flood wait) with leases of 300 ms.
    let held = false;
    const slowFirstSend: Transformer = async (prev, method, payload, signal) => {
      if (method === "sendMessage" && !held) {
        held = true;
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
      return prev(method, payload, signal);
    };
    // The first worker claims once and then sleeps (a worker re-claiming its own expired item would
    // hide the missing renewal); the second polls every 50 ms.
    const r = await rig({ rate: 30, chats: [7001], transformers: [slowFirstSend], worker: { leaseMs: 300, pollMs: 10_000 } });
    r.emulator.addChat(7001);
    const second = createDeliveryWorker({
      outbox: r.outbox,
      subscribers: r.subscribers,
      api: createDeliveryApi({ token: TOKEN, apiRoot: r.emulator.apiRoot, budget: new SendBudget({ rate: 30 }) }),
      logger: memoryLogger("debug").logger,
      workerId: "second-worker",
      pollMs: 50,
      leaseMs: 300,
    });
    cleanup.push(() => second.stop());
    const digest = corpusPayload("en", 1);
    await r.outbox.enqueueDigest(digest, [7001], 1, Date.now());
    r.worker.start();
    // The first worker has claimed it and is stuck in the slow send; then the second starts polling.
    for (let waited = 0; !held && waited < 3000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    second.start();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(botMessages(r.emulator, 7001).map((m) => m.text)).toEqual(digest.payload.messages.map((m) => m.text));
    const [item] = await r.outbox.claim("nobody", 10, 1, Date.now() + 60_000);
    expect(item).toBeUndefined();
    expect(await r.outbox.stats()).toEqual({ pending: 0, claimed: 0, sent: 1, failed: 0 });
    expect(second.counters.sent).toBe(0);
  }, 20_000);

  it("gives every subscriber the digest exactly once, within the flood limits", async () => {
    const chats = Array.from({ length: 150 }, (_, i) => 10_000 + i);
    const r = await rig({ emulator: { globalRate: 60 }, rate: 60, chats });
    for (const chatId of chats) r.emulator.addChat(chatId);
    const digest = corpusPayload("zh");
    expect(digest.payload.messages.every((m) => m.text.length <= MESSAGE_LIMIT)).toBe(true);
    await r.outbox.enqueueDigest(digest, chats, 5, Date.now());

    const started = Date.now();
    r.worker.start();
    await r.worker.idle();
    const seconds = (Date.now() - started) / 1000;

    const expected = digest.payload.messages.map((m) => m.text);
    for (const chatId of chats) expect(botMessages(r.emulator, chatId).map((m) => m.text)).toEqual(expected);
    const stats = r.emulator.stats();
    expect(stats.sent).toBe(chats.length * expected.length);
    expect(stats.tooManyRequests).toBe(0);
    expect(stats.ignoredRetryAfter).toBe(0);
    expect(r.emulator.violations).toEqual([]);
    expect(await r.outbox.stats()).toEqual({ pending: 0, claimed: 0, sent: chats.length, failed: 0 });
    // Paced, not bursted: 150+ messages at 60/s cannot take less than ~2.4 s.
    expect(seconds).toBeGreaterThan((stats.sent - 60) / 60);
    // The buttons arrive as rendered, with the bot's own callback_data.
    const keyboard = botMessages(r.emulator, chats[0]!)[0]!.reply_markup?.inline_keyboard.flat() ?? [];
    expect(keyboard.map((b) => ("callback_data" in b ? b.callback_data : "")).every((d) => /^(f|oa):/.test(d))).toBe(true);
  });

  it("honours a 429 storm: waits retry_after, resends, ignores none, loses none", async () => {
    const chats = Array.from({ length: 40 }, (_, i) => 20_000 + i);
    // The emulator allows 8/s; the worker is told 40/s: Telegram pushing back is the only brake.
    const r = await rig({ emulator: { globalRate: 8, retryAfterSeconds: 1 }, rate: 40, chats });
    for (const chatId of chats) r.emulator.addChat(chatId);
    const digest = corpusPayload("en", 2);
    await r.outbox.enqueueDigest(digest, chats, 2, Date.now());
    r.worker.start();
    await r.worker.idle();

    const stats = r.emulator.stats();
    expect(stats.tooManyRequests).toBeGreaterThan(0);
    expect(stats.ignoredRetryAfter).toBe(0);
    for (const chatId of chats) expect(botMessages(r.emulator, chatId)).toHaveLength(digest.payload.messages.length);
    expect(await r.outbox.stats()).toMatchObject({ sent: chats.length, failed: 0, pending: 0 });
    expect(r.budget.counters.tooManyRequests).toBe(stats.tooManyRequests);
  }, 30_000);

  it("waits a long retry_after exactly before resending to that scope", async () => {
    const chats = [30_001, 30_002, 30_003, 30_004];
    const r = await rig({ emulator: { globalRate: 2, retryAfterSeconds: 3 }, rate: 20, chats });
    for (const chatId of chats) r.emulator.addChat(chatId);
    const digest = corpusPayload("en", 1);
    await r.outbox.enqueueDigest(digest, chats, 1, Date.now());
    r.worker.start();
    await r.worker.idle();
    const calls = r.emulator.calls.filter((c) => c.method === "sendMessage");
    const refusals = calls.filter((c) => c.error_code === 429);
    expect(refusals.length).toBeGreaterThan(0);
    // After each refusal, nothing is sent to the closed scope before its 3 s have passed
    // (the emulator counts any such call as ignored; requests already in flight are allowed).
    for (const refusal of refusals) {
      const next = calls.find((c) => c.at > refusal.at + 250);
      if (next) expect(next.at - refusal.at).toBeGreaterThanOrEqual(3000);
    }
    expect(r.emulator.stats().ignoredRetryAfter).toBe(0);
    for (const chatId of chats) expect(botMessages(r.emulator, chatId)).toHaveLength(digest.payload.messages.length);
  }, 30_000);

  it("pauses blocked, deactivated and unknown chats and fails their items; others get the digest", async () => {
    const chats = [40_001, 40_002, 40_003, 40_004, 40_005];
    const r = await rig({ rate: 30, chats });
    for (const chatId of chats.slice(0, 4)) r.emulator.addChat(chatId); // 40_005 never wrote: chat not found
    r.emulator.block(40_002);
    r.emulator.deactivate(40_003);
    const digest = corpusPayload("zh", 2);
    await r.outbox.enqueueDigest(digest, chats, 2, Date.now());
    r.worker.start();
    await r.worker.idle();

    expect(botMessages(r.emulator, 40_001)).toHaveLength(digest.payload.messages.length);
    expect(botMessages(r.emulator, 40_004)).toHaveLength(digest.payload.messages.length);
    for (const [chatId, reason] of [
      [40_002, "bot was blocked by the user"],
      [40_003, "user is deactivated"],
      [40_005, "chat not found"],
    ] as const) {
      const subscriber = await r.subscribers.get(chatId);
      expect(subscriber).toMatchObject({ status: "paused", pausedReason: reason });
      // Each unreachable chat was tried once, not retried.
      expect(r.emulator.calls.filter((c) => c.method === "sendMessage" && c.params.chat_id === chatId)).toHaveLength(1);
    }
    expect(await r.outbox.stats()).toEqual({ pending: 0, claimed: 0, sent: 2, failed: 3 });
    expect((await r.subscribers.counts()).paused).toBe(3);
  });

  it("does not send to a chat that unsubscribed or was paused after the digest was queued", async () => {
    const chats = [45_001, 45_002, 45_003];
    const r = await rig({ rate: 30, chats });
    for (const chatId of chats) r.emulator.addChat(chatId);
    await r.outbox.enqueueDigest(corpusPayload("en", 1), chats, 1, Date.now());
    await r.subscribers.unsubscribe(45_001);
    await r.subscribers.pause(45_002, "bot was blocked by the user");
    r.worker.start();
    await r.worker.idle();
    expect(r.emulator.stats().sentPerChat.get(45_001)).toBeUndefined();
    expect(r.emulator.stats().sentPerChat.get(45_002)).toBeUndefined();
    expect(r.emulator.stats().sentPerChat.get(45_003)).toBe(1);
    expect((await r.outbox.item(1))?.lastError).toBe("unsubscribed before delivery");
    expect((await r.outbox.item(2))?.lastError).toBe("paused before delivery: bot was blocked by the user");
  });

  it("logs a malformed message with digest id and chat and fails it without retrying", async () => {
    const chats = [50_001, 50_002];
    const r = await rig({ rate: 30, chats });
    for (const chatId of chats) r.emulator.addChat(chatId);
    // An entity that runs past the end of the text: Telegram answers 400 "can't parse entities".
    const broken = { id: "broken-digest", payload: { messages: [{ text: "Digest", entities: [{ type: "bold", offset: 2, length: 40 }] }] } };
    await r.outbox.enqueueDigest(broken, [50_001], 1, Date.now());
    const good = corpusPayload("en", 1);
    await r.outbox.enqueueDigest(good, [50_002], 1, Date.now());
    r.worker.start();
    await r.worker.idle();
    await new Promise((resolve) => setTimeout(resolve, 300)); // a retry, if there were one, would come by now

    const attempts = r.emulator.calls.filter((c) => c.method === "sendMessage" && c.params.chat_id === 50_001);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.error_code).toBe(400);
    expect(await r.outbox.digestStats("broken-digest")).toMatchObject({ failed: 1, pending: 0, claimed: 0 });
    expect(await r.subscribers.get(50_001)).toMatchObject({ status: "active" });
    const line = r.lines.find((l) => l.level === "error" && l.digestId === "broken-digest");
    expect(line).toMatchObject({ chatId: 50_001 });
    expect(String(line?.reason)).toMatch(/^400 /);
    expect(botMessages(r.emulator, 50_002)).toHaveLength(good.payload.messages.length);
  });

  it("retries 5xx and network errors with backoff, then delivers once", async () => {
    const chats = [60_001, 60_002];
    let failures = 0;
    // The first two sends to 60_001 fail like an overloaded server, then a dropped connection.
    const flaky: Transformer = async (prev, method, payload, signal) => {
      if (method === "sendMessage" && (payload as { chat_id: number }).chat_id === 60_001 && failures < 2) {
        failures += 1;
        if (failures === 1) return { ok: false, error_code: 502, description: "Bad Gateway" } as never;
        throw new (await import("grammy")).HttpError("Network request for 'sendMessage' failed!", new Error("ECONNRESET"));
      }
      return prev(method, payload, signal);
    };
    const r = await rig({ rate: 30, chats, transformers: [flaky] });
    for (const chatId of chats) r.emulator.addChat(chatId);
    const digest = corpusPayload("en", 1);
    await r.outbox.enqueueDigest(digest, chats, 1, Date.now());
    r.worker.start();
    await r.emulator.waitFor(() => botMessages(r.emulator, 60_001).length > 0, 10_000);
    await r.worker.idle();

    expect(failures).toBe(2);
    expect(botMessages(r.emulator, 60_001)).toHaveLength(digest.payload.messages.length);
    const item = (await r.outbox.item(1))!;
    expect(item).toMatchObject({ chatId: 60_001, status: "sent", attempts: 2 });
    expect(r.worker.counters.retried).toBe(2);
  });

  it("resumes a multi-message digest after the last message that went out, never repeating one", async () => {
    const chats = [65_001];
    let failed = false;
    // The second message of the digest hits a 502 once.
    const flaky: Transformer = async (prev, method, payload, signal) => {
      if (method === "sendMessage" && !failed && String((payload as { text: string }).text).startsWith("part two")) {
        failed = true;
        return { ok: false, error_code: 502, description: "Bad Gateway" } as never;
      }
      return prev(method, payload, signal);
    };
    const r = await rig({ rate: 30, chats, transformers: [flaky] });
    r.emulator.addChat(65_001);
    const twoParts = { id: "two-part", payload: { messages: [{ text: "part one" }, { text: "part two" }] } };
    await r.outbox.enqueueDigest(twoParts, chats, 1, Date.now());
    r.worker.start();
    await r.emulator.waitFor(() => botMessages(r.emulator, 65_001).length === 2, 10_000);
    await r.worker.idle();
    expect(botMessages(r.emulator, 65_001).map((m) => m.text)).toEqual(["part one", "part two"]);
    expect(await r.outbox.item(1)).toMatchObject({ status: "sent", attempts: 1, lastError: "[sent 1/2] 502 Bad Gateway" });
  });

  it("answers a command during a fan-out without waiting behind it, within the shared limit", async () => {
    const chats = Array.from({ length: 80 }, (_, i) => 70_000 + i);
    // Five users, one /latest each: one user sending five in a second would hit their own chat's limit.
    const users = [79_991, 79_992, 79_993, 79_994, 79_995];
    const r = await rig({ emulator: { globalRate: 20 }, rate: 20, chats });
    for (const chatId of [...chats, ...users]) r.emulator.addChat(chatId);
    const digest = corpusPayload("en", 1);
    await r.outbox.enqueueDigest(digest, chats, 1, Date.now());
    // The bot's own Api: the reply lane of the same budget, auto-retry outermost as in create-bot.
    const botApi = new Api(TOKEN, { apiRoot: r.emulator.apiRoot });
    botApi.config.use(r.budget.transformer("reply"));
    botApi.config.use(autoRetry({ maxDelaySeconds: 120, maxRetryAttempts: 10 }));
    r.worker.start();
    await r.emulator.waitFor(() => r.emulator.stats().sent >= 30, 10_000);

    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await botApi.sendMessage(users[i]!, `/latest reply ${i}`);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(r.budget.waiting).toBeGreaterThan(0); // the fan-out was still queued while we replied
    await r.worker.idle();

    // A bulk send waits 1/20 s for its slot; a reply takes the next free one.
    expect(Math.max(...latencies)).toBeLessThan(250);
    expect(r.emulator.stats().tooManyRequests).toBe(0);
    for (const user of users) expect(botMessages(r.emulator, user)).toHaveLength(1);
    for (const chatId of chats) expect(botMessages(r.emulator, chatId)).toHaveLength(1);
  }, 20_000);

  it("stop() waits for sends in flight and puts back what was not sent", async () => {
    const chats = Array.from({ length: 60 }, (_, i) => 80_000 + i);
    const r = await rig({ emulator: { globalRate: 20 }, rate: 20, chats });
    for (const chatId of chats) r.emulator.addChat(chatId);
    await r.outbox.enqueueDigest(corpusPayload("en", 1), chats, 1, Date.now());
    r.worker.start();
    await r.emulator.waitFor(() => r.emulator.stats().sent >= 10, 10_000);
    await r.worker.stop();

    const stats = await r.outbox.stats();
    const sent = r.emulator.stats().sent;
    expect(stats.claimed).toBe(0);
    // Every message Telegram took is acked; everything else is due again.
    expect(stats.sent).toBe(sent);
    expect(stats.pending).toBe(chats.length - sent);
    expect(r.budget.waiting).toBe(0);
    // No further sends after stop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.emulator.stats().sent).toBe(sent);
  });
});

describe("classifySendError", () => {
  it("maps Telegram's answers to pause / fail / retry", async () => {
    const { GrammyError, HttpError } = await import("grammy");
    const error = (code: number, description: string, parameters = {}) =>
      new GrammyError("x", { ok: false, error_code: code, description, parameters }, "sendMessage", {});
    expect(classifySendError(error(403, "Forbidden: bot was kicked from the group chat"))).toEqual({
      kind: "unreachable",
      reason: "bot was kicked from the group chat",
    });
    expect(classifySendError(error(400, "Bad Request: chat not found")).kind).toBe("unreachable");
    expect(classifySendError(error(400, "Bad Request: can't parse entities: x")).kind).toBe("rejected");
    expect(classifySendError(error(502, "Bad Gateway")).kind).toBe("transient");
    expect(classifySendError(error(429, "Too Many Requests: retry after 7", { retry_after: 7 }))).toMatchObject({
      kind: "transient",
      notBeforeMs: 7000,
    });
    expect(classifySendError(new HttpError("down", new Error("ECONNREFUSED"))).kind).toBe("transient");
  });
});
