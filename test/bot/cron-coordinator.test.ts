/**
 * One run per cron slot across instances (issue 6): two digest schedules on one Redis, each with its
 * own owner name as two processes would have, both on a cron that fires every second. Each slot is
 * asked for by both and run by exactly one. Beside them, two schedules without a coordinator show
 * what the coordinator prevents: every slot runs on both.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { lockRunCoordinator, type ScheduleCoordinator } from "../../bot/cron-coordinator.js";
import { createDigestSchedule, createRedisLock, openRedis, type DigestSchedule, type RedisConnection } from "../../digest/index.js";
import { deleteKeysUnder, uniqueKeyPrefix, useTestRedis, type TestRedis } from "../helpers/redis-server.js";

let redis: TestRedis;
const keyPrefix = uniqueKeyPrefix("cron-coordinator");
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await useTestRedis();
}, 30_000);
afterAll(async () => {
  for (const connection of connections) await connection.close();
  if (redis?.available) {
    await deleteKeysUnder(redis.url, keyPrefix);
    await redis.stop();
  }
});

/** What each instance asked the coordinator per slot key, and what it was told. */
type Answers = Map<string, boolean[]>;

function recording(coordinator: ScheduleCoordinator, answers: Answers): ScheduleCoordinator {
  return {
    async shouldRun(key, ttlMs) {
      const allowed = await coordinator.shouldRun(key, ttlMs);
      answers.set(key, [...(answers.get(key) ?? []), allowed]);
      return allowed;
    },
  };
}

it(
  "runs each slot of an every-second cron once over two instances; without a coordinator both run it",
  async (context) => {
    if (!redis.available) return context.skip(redis.skipReason);
    const answers: Answers = new Map();
    const coordinatedRuns: Array<{ instance: string; firedAt: number }> = [];
    const uncoordinatedRuns: Array<{ instance: string; firedAt: number }> = [];
    const schedules: DigestSchedule<void>[] = [];
    for (const instance of ["host-a-101", "host-b-202"]) {
      // One connection per instance, as two processes would have.
      const connection = await openRedis(redis.url, { keyPrefix });
      connections.push(connection);
      const coordinator = lockRunCoordinator({ lock: createRedisLock(connection), owner: instance });
      schedules.push(
        createDigestSchedule({
          cron: "* * * * * *",
          tz: "UTC",
          name: "digest",
          coordinator: recording(coordinator, answers),
          slotClaimMs: 10_000,
          // A run that takes a while, so a late instance would find the slot's run still going.
          run: async (firedAt) => {
            coordinatedRuns.push({ instance, firedAt });
            await new Promise((resolve) => setTimeout(resolve, 150));
          },
        }),
        createDigestSchedule({
          cron: "* * * * * *",
          tz: "UTC",
          name: "digest-alone",
          run: async (firedAt) => void uncoordinatedRuns.push({ instance, firedAt }),
        }),
      );
    }
    for (const schedule of schedules) await schedule.start();
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    for (const schedule of schedules) await schedule.stop();

    const runsPerSlot = (runs: typeof coordinatedRuns) => {
      const perSlot = new Map<number, number>();
      for (const run of runs) perSlot.set(run.firedAt, (perSlot.get(run.firedAt) ?? 0) + 1);
      return perSlot;
    };
    const coordinated = runsPerSlot(coordinatedRuns);
    expect(coordinated.size).toBeGreaterThanOrEqual(3);
    expect([...coordinated.values()].every((n) => n === 1)).toBe(true);
    // Every slot was asked for by both instances (both crons fired) and granted to exactly one.
    const bothAsked = [...answers.values()].filter((told) => told.length === 2);
    expect(bothAsked.length).toBeGreaterThanOrEqual(3);
    for (const told of bothAsked) expect(told.filter(Boolean)).toHaveLength(1);
    // Each granted key is a slot that ran, keyed by the tick's due time.
    const granted = [...answers].filter(([, told]) => told.includes(true)).map(([key]) => key);
    expect(granted.sort()).toEqual([...coordinated.keys()].map((at) => `digest:${new Date(at).toISOString()}`).sort());
    // The claims expire by themselves in Redis: they are there now, with a lease.
    const claim = await connections[0]!.client.pTTL(`${keyPrefix}lock:cron-slot:${granted[0]}`);
    expect(claim).toBeGreaterThan(0);

    const uncoordinated = runsPerSlot(uncoordinatedRuns);
    expect(uncoordinated.size).toBeGreaterThanOrEqual(3);
    expect([...uncoordinated.values()].filter((n) => n === 2).length).toBeGreaterThanOrEqual(3);
  },
  20_000,
);

it("skips the slot when the claim cannot be made (fails closed), and keeps counting the next run time", async () => {
  const runs: number[] = [];
  const asked: string[] = [];
  const schedule = createDigestSchedule({
    cron: "* * * * * *",
    tz: "UTC",
    name: "digest",
    coordinator: {
      shouldRun(key) {
        asked.push(key);
        throw new Error("Redis is down");
      },
    },
    run: async (firedAt) => void runs.push(firedAt),
  });
  await schedule.start();
  await new Promise((resolve) => setTimeout(resolve, 2_300));
  const next = schedule.nextRunAt();
  await schedule.stop();
  expect(asked.length).toBeGreaterThanOrEqual(1);
  expect(runs).toEqual([]);
  expect(next).not.toBeNull();
  expect(next!).toBeGreaterThan(Date.now() - 1000);
}, 10_000);
