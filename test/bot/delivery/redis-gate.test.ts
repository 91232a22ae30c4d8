/**
 * The shared send gate against a real Redis: two SendBudgets, each on its own connection as two bot
 * instances would be, send bulk messages as fast as they are let. Together they stay within the
 * rate, keep one chat's pace, and both stop on one instance's 429.
 */
import { setMaxListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisSendGate, type SharedSendGate } from "../../../bot/delivery/redis-gate.js";
import { SendAbortedError, SendBudget } from "../../../bot/delivery/send-budget.js";
import { openRedis, RedisScriptError, type RedisConnection } from "../../../digest/store/redis-connection.js";
import { deleteKeysUnder, uniqueKeyPrefix, useTestRedis, type TestRedis } from "../../helpers/redis-server.js";

let redis: TestRedis;
const prefixes: string[] = [];
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await useTestRedis();
  if (redis.available) console.log(`redis-gate tests on ${redis.origin}`);
});

afterAll(async () => {
  for (const connection of connections) await connection.close();
  if (redis.available) {
    for (const prefix of prefixes) await deleteKeysUnder(redis.url, prefix);
    await redis.stop();
  }
});

interface Instance {
  budget: SendBudget;
  gate: SharedSendGate;
  /** The `now` of every reservation the gate granted: the times the shared limit is enforced on. */
  gateGrants: number[];
}

/** The gate, noting the time of each reservation it grants. */
function recording(gate: SharedSendGate, gateGrants: number[]): SharedSendGate {
  return {
    ...gate,
    async reserve(chat, kind, now) {
      const answer = await gate.reserve(chat, kind, now);
      if (answer.blockedBy === null) gateGrants.push(now);
      return answer;
    },
  };
}

/** `count` instances sharing one key prefix, each with its own connection and gate. */
async function instances(
  url: string,
  label: string,
  count: number,
  options: { rate: number; privateChatIntervalMs?: number; shared?: boolean },
): Promise<Instance[]> {
  const keyPrefix = uniqueKeyPrefix(label);
  prefixes.push(keyPrefix);
  const made: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const connection = await openRedis(url, { keyPrefix });
    connections.push(connection);
    const gateGrants: number[] = [];
    const gate = recording(createRedisSendGate(connection, options), gateGrants);
    const budget = new SendBudget({
      rate: options.rate,
      ...(options.privateChatIntervalMs !== undefined ? { privateChatIntervalMs: options.privateChatIntervalMs } : {}),
      ...(options.shared === false ? {} : { gate, onGateError: (error: unknown) => console.error(error) }),
    });
    made.push({ budget, gate, gateGrants });
  }
  return made;
}

/**
 * Sends bulk "messages" through `budget` from `loops` concurrent senders until `signal` aborts:
 * each takes a permit, holds it for `holdMs` (the round trip to Telegram), releases it, and
 * records when it was granted.
 */
async function sendFlat(
  budget: SendBudget,
  options: { loops: number; holdMs: number; chat: (n: number) => number; signal: AbortSignal; granted: number[] },
): Promise<void> {
  let sequence = 0;
  const loop = async (): Promise<void> => {
    while (!options.signal.aborted) {
      let permit;
      try {
        permit = await budget.acquire("bulk", options.chat(sequence++), options.signal);
      } catch (error) {
        if (error instanceof SendAbortedError) return;
        throw error;
      }
      options.granted.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, options.holdMs));
      permit.release();
    }
  };
  await Promise.all(Array.from({ length: options.loops }, loop));
}

/** The most grants within any window of `windowMs` (the window starting at each grant). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let tail = 0;
  for (let head = 0; head < sorted.length; head++) {
    while (sorted[head]! - sorted[tail]! >= windowMs) tail++;
    most = Math.max(most, head - tail + 1);
  }
  return most;
}

async function runFor(ms: number, body: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  // Every waiting acquire listens on the one signal.
  setMaxListeners(100, controller.signal);
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    await body(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

const RATE = 20;
const RUN_MS = 2500;

describe("SendBudget with a Redis send gate (two instances)", () => {
  it(`keeps two instances together within ${RATE}/s over ${RUN_MS} ms`, async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    const [a, b] = await instances(redis.url, "gate-rate", 2, { rate: RATE });
    const grantedA: number[] = [];
    const grantedB: number[] = [];
    const started = Date.now();
    // Distinct private chats per instance: only the global rate limits them.
    await runFor(RUN_MS, (signal) =>
      Promise.all([
        sendFlat(a!.budget, { loops: 8, holdMs: 10, chat: (n) => 1_000_000 + n, signal, granted: grantedA }),
        sendFlat(b!.budget, { loops: 8, holdMs: 10, chat: (n) => 2_000_000 + n, signal, granted: grantedB }),
      ]),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const all = [...grantedA, ...grantedB];
    const busiest = busiestWindow(all, 1000);
    const busiestAtGate = busiestWindow([...a!.gateGrants, ...b!.gateGrants], 1000);
    console.log(
      `shared gate: A ${grantedA.length} + B ${grantedB.length} = ${all.length} sends in ${elapsedS.toFixed(2)} s ` +
        `(${(all.length / elapsedS).toFixed(1)}/s, limit ${RATE}/s); busiest 1 s window ${busiest} by grant, ${busiestAtGate} at the gate; ` +
        `gate waits A ${a!.budget.counters.gateWaits}, B ${b!.budget.counters.gateWaits}`,
    );
    expect(all.length).toBeLessThanOrEqual(Math.ceil(RATE * elapsedS) + 1);
    // The gate spaces its grants exactly 1000/rate ms apart; the grant arrives a Redis round trip
    // later, and that jitter may let one more fall within 1000 ms.
    expect(busiestAtGate).toBeLessThanOrEqual(RATE);
    expect(busiest).toBeLessThanOrEqual(RATE + 1);
    // Not starved either: the pair uses most of the rate, and each instance gets a real share.
    expect(all.length).toBeGreaterThanOrEqual(Math.floor(RATE * elapsedS * 0.8));
    expect(grantedA.length).toBeGreaterThanOrEqual(all.length * 0.15);
    expect(grantedB.length).toBeGreaterThanOrEqual(all.length * 0.15);
    expect(a!.budget.counters.gateErrors + b!.budget.counters.gateErrors).toBe(0);
  });

  it("without the gate the same two instances send about twice the rate (the measure above can see a breach)", async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    const [a, b] = await instances(redis.url, "gate-control", 2, { rate: RATE, shared: false });
    const granted: number[] = [];
    await runFor(1500, (signal) =>
      Promise.all([
        sendFlat(a!.budget, { loops: 8, holdMs: 10, chat: (n) => 1_000_000 + n, signal, granted }),
        sendFlat(b!.budget, { loops: 8, holdMs: 10, chat: (n) => 2_000_000 + n, signal, granted }),
      ]),
    );
    console.log(`no gate: busiest 1 s window ${busiestWindow(granted, 1000)} (limit ${RATE})`);
    expect(busiestWindow(granted, 1000)).toBeGreaterThan(RATE * 1.5);
  });

  it("counts one instance's command replies against both instances' bulk rate", async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    const [a, b] = await instances(redis.url, "gate-replies", 2, { rate: RATE });
    const bulk: number[] = [];
    const replies: number[] = [];
    const started = Date.now();
    await runFor(2000, (signal) =>
      Promise.all([
        sendFlat(a!.budget, { loops: 8, holdMs: 10, chat: (n) => 1_000_000 + n, signal, granted: bulk }),
        sendFlat(b!.budget, { loops: 8, holdMs: 10, chat: (n) => 2_000_000 + n, signal, granted: bulk }),
        (async () => {
          // Five command answers a second on A, each to its own user.
          for (let n = 0; !signal.aborted; n++) {
            const permit = await a!.budget.acquire("reply", 3_000_000 + n);
            replies.push(Date.now());
            permit.release();
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        })(),
      ]),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const all = [...bulk, ...replies];
    console.log(
      `replies ${replies.length} + bulk ${bulk.length} = ${all.length} in ${elapsedS.toFixed(2)} s (limit ${RATE}/s); ` +
        `busiest 1 s window ${busiestWindow(all, 1000)}`,
    );
    expect(replies.length).toBeGreaterThanOrEqual(9);
    // A reply goes at once (it may coincide with a bulk slot) and pushes every later bulk slot back one.
    expect(all.length).toBeLessThanOrEqual(Math.ceil(RATE * elapsedS) + 2);
    expect(busiestWindow(all, 1000)).toBeLessThanOrEqual(RATE + 2);
  });

  it("holds bulk sends while Redis cannot be asked, and says why", async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    const keyPrefix = uniqueKeyPrefix("gate-down");
    prefixes.push(keyPrefix);
    const connection = await openRedis(redis.url, { keyPrefix });
    const errors: unknown[] = [];
    const budget = new SendBudget({
      rate: RATE,
      gate: createRedisSendGate(connection, { rate: RATE }),
      onGateError: (error) => errors.push(error),
      gateRetryMs: 100,
    });
    await connection.close();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 450);
    await expect(budget.acquire("bulk", 77, controller.signal)).rejects.toBeInstanceOf(SendAbortedError);
    expect(budget.counters.bulk).toBe(0);
    expect(budget.counters.gateErrors).toBeGreaterThanOrEqual(3);
    expect(errors[0]).toBeInstanceOf(RedisScriptError);
    expect((errors[0] as Error).message).toContain("send-gate-reserve");
  });

  it("holds the other instance's bulk sends (and replies) during one instance's 429 pause", async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    const [a, b] = await instances(redis.url, "gate-pause", 2, { rate: RATE });
    const permit = await a!.budget.acquire("bulk", 501);
    const retryAfterSeconds = 1;
    const answeredAt = Date.now();
    permit.release({ retryAfterSeconds });
    // The pause reaches Redis asynchronously (release does not wait for it).
    let pausedUntil = 0;
    for (let i = 0; i < 100 && pausedUntil === 0; i++) {
      pausedUntil = await b!.gate.pausedUntil(Date.now());
      if (pausedUntil === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(pausedUntil).toBeGreaterThanOrEqual(answeredAt + retryAfterSeconds * 1000);
    expect(pausedUntil).toBeLessThanOrEqual(Date.now() + retryAfterSeconds * 1000);

    // B never saw the 429 itself, yet waits for the pause to end; once its bulk send has heard of
    // the pause from the gate, B's command replies wait for it too.
    const stamp = (p: Promise<{ release(): void }>): Promise<number> =>
      p.then((granted) => {
        const at = Date.now();
        granted.release();
        return at;
      });
    const bulkGranted = stamp(b!.budget.acquire("bulk", 502));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const replyGranted = stamp(b!.budget.acquire("reply", 503));
    expect(await bulkGranted).toBeGreaterThanOrEqual(pausedUntil);
    expect(await replyGranted).toBeGreaterThanOrEqual(pausedUntil);
    expect(b!.budget.counters.gateWaits).toBeGreaterThanOrEqual(1);
    expect(b!.budget.counters.tooManyRequests).toBe(0);
    expect(await b!.gate.pausedUntil(Date.now())).toBe(0);
  });

  it("keeps one private chat's spacing across both instances", async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    const intervalMs = 300;
    const [a, b] = await instances(redis.url, "gate-chat", 2, { rate: RATE, privateChatIntervalMs: intervalMs });
    const grantedA: number[] = [];
    const grantedB: number[] = [];
    await runFor(2000, (signal) =>
      Promise.all([
        sendFlat(a!.budget, { loops: 3, holdMs: 5, chat: () => 4242, signal, granted: grantedA }),
        sendFlat(b!.budget, { loops: 3, holdMs: 5, chat: () => 4242, signal, granted: grantedB }),
      ]),
    );
    const times = [...grantedA, ...grantedB].sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const atGate = [...a!.gateGrants, ...b!.gateGrants].sort((x, y) => x - y);
    const gapsAtGate = atGate.slice(1).map((t, i) => t - atGate[i]!);
    console.log(`one chat, ${intervalMs} ms apart: A ${grantedA.length}, B ${grantedB.length}, smallest gap ${Math.min(...gaps)} ms (${Math.min(...gapsAtGate)} ms at the gate)`);
    expect(grantedA.length).toBeGreaterThanOrEqual(1);
    expect(grantedB.length).toBeGreaterThanOrEqual(1);
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(atGate).toHaveLength(times.length);
    for (const gap of gapsAtGate) expect(gap).toBeGreaterThanOrEqual(intervalMs);
    // A grant is stamped after the gate's answer, one Redis round trip (and a busy event loop) later.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(intervalMs - 20);
  });
});
