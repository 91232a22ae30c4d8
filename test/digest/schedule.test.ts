/**
 * The digest schedule on real node-cron ticks (a seconds field keeps the test short): it fires,
 * never overlaps a run in progress (a tick's or an admin's runNow), reads the expression in
 * DIGEST_TZ, and refuses a bad DIGEST_CRON or DIGEST_TZ with a message that names them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDigestSchedule, ScheduleConfigError, type DigestSchedule } from "../../digest/schedule.js";

const schedules: Array<DigestSchedule<unknown>> = [];
afterEach(async () => {
  for (const schedule of schedules.splice(0)) await schedule.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function track<T>(schedule: DigestSchedule<T>): DigestSchedule<T> {
  schedules.push(schedule as DigestSchedule<unknown>);
  return schedule;
}

function memoryLog() {
  const lines: Array<{ level: string; msg: string; fields: object }> = [];
  const at = (level: string) => (fields: object, msg: string) => void lines.push({ level, msg, fields });
  return { lines, logger: { info: at("info"), warn: at("warn"), error: at("error") } };
}

/** A tracked schedule that ticks every second (UTC) and logs into `lines`. */
function everySecond<T>(run: (at: number) => Promise<T>) {
  const { lines, logger } = memoryLog();
  return { lines, schedule: track(createDigestSchedule({ cron: "* * * * * *", tz: "UTC", logger, run })) };
}

describe("createDigestSchedule", () => {
  it("fires every tick of a seconds-field expression and reports each run", async () => {
    const fired: number[] = [];
    const { schedule } = everySecond(async (at) => void fired.push(at));
    expect(schedule.nextRunAt()).toBe(null);
    await schedule.start();
    const next = schedule.nextRunAt();
    expect(next).not.toBe(null);
    expect(next! % 1000).toBe(0);
    expect(next! - Date.now()).toBeLessThanOrEqual(1000);
    await sleep(2300);
    expect(fired.length).toBeGreaterThanOrEqual(2);
    // Each run gets the instant its tick was due: whole seconds, one apart.
    for (const at of fired) expect(at % 1000).toBe(0);
    expect(fired[1]! - fired[0]!).toBe(1000);
    expect(schedule.lastRun()).toMatchObject({ reason: "scheduled" });
    await schedule.stop();
    const count = fired.length;
    await sleep(1200);
    expect(fired.length).toBe(count);
    expect(schedule.nextRunAt()).toBe(null);
  }, 10_000);

  it("stopped while a slot's claim is in flight: runs the won slot before stop() returns, and claims nothing after", async () => {
    const events: string[] = [];
    let claims = 0;
    const coordinator = {
      // A slow shared store: the claim answers 300 ms after it was asked, and wins.
      shouldRun: async (key: string) => {
        claims += 1;
        events.push(`claim asked ${key.length > 0 ? "with key" : "without key"}`);
        await sleep(300);
        events.push("claim won");
        return true;
      },
    };
    const schedule = track(
      createDigestSchedule({
        cron: "* * * * * *",
        tz: "UTC",
        coordinator,
        run: async () => {
          events.push("run started");
          await sleep(100);
          events.push("run finished");
        },
      }),
    );
    await schedule.start();
    // Stop right after a tick asked for its slot.
    for (let waited = 0; claims === 0 && waited < 3000; waited += 5) await sleep(5);
    expect(claims).toBe(1);
    await schedule.stop();
    events.push("stop returned");
    expect(events).toEqual(["claim asked with key", "claim won", "run started", "run finished", "stop returned"]);
    await sleep(1200);
    expect(claims).toBe(1);
  }, 10_000);

  it("skips ticks while a run is still going, including a run started by runNow", async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const { lines, schedule } = everySecond(async () => {
      running += 1;
      runs += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(2200);
      running -= 1;
      return runs;
    });
    await schedule.start();
    // An admin's /digest starts a run; the ticks during it must not start another.
    const manual = schedule.runNow();
    expect(await schedule.runNow()).toEqual({ busy: true });
    const result = await manual;
    expect(result).toMatchObject({ busy: false, run: { reason: "manual", result: 1 } });
    expect(maxRunning).toBe(1);
    expect(runs).toBe(1);
    expect(lines.some((l) => l.level === "warn" && /skipped/.test(l.msg))).toBe(true);
    await sleep(1500);
    expect(runs).toBeGreaterThanOrEqual(2); // the ticks resume once the run is over
    expect(maxRunning).toBe(1);
  }, 15_000);

  it("keeps ticking after a failed run and records the failure", async () => {
    let calls = 0;
    const { lines, schedule } = everySecond(async () => {
      calls += 1;
      if (calls === 1) throw new Error("seeds folder vanished");
      return calls;
    });
    const first = await schedule.runNow();
    expect(first).toMatchObject({ busy: false, run: { error: { message: "seeds folder vanished" } } });
    expect(lines.find((l) => l.level === "error")?.msg).toBe("digest run failed");
    await schedule.start();
    await sleep(1300);
    expect(calls).toBeGreaterThanOrEqual(2);
  }, 10_000);

  it("reads the expression in DIGEST_TZ", async () => {
    const taipei = track(createDigestSchedule({ cron: "0 8 * * *", tz: "Asia/Taipei", run: async () => {} }));
    const utc = track(createDigestSchedule({ cron: "0 8 * * *", tz: "UTC", run: async () => {} }));
    await taipei.start();
    await utc.start();
    const inTaipei = new Date(taipei.nextRunAt()!);
    const inUtc = new Date(utc.nextRunAt()!);
    // 08:00 in Taipei (UTC+8, no DST) is 00:00 UTC.
    expect([inTaipei.getUTCHours(), inTaipei.getUTCMinutes()]).toEqual([0, 0]);
    expect([inUtc.getUTCHours(), inUtc.getUTCMinutes()]).toEqual([8, 0]);
    for (const next of [inTaipei, inUtc]) {
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    }
  });

  it.each([
    ["61 * * * *", /DIGEST_CRON="61 \* \* \* \*" cannot be used: minute: .*61/],
    ["every morning", /DIGEST_CRON="every morning" cannot be used: expected 5 or 6 fields but got 2/],
    ["", /DIGEST_CRON="" cannot be used: it is empty/],
    ["* * * * * * *", /DIGEST_CRON=.* cannot be used: expected 5 or 6 fields but got 7/],
  ])("refuses DIGEST_CRON %j with a clear message", (cron, message) => {
    let thrown: unknown;
    try {
      createDigestSchedule({ cron, tz: "UTC", run: async () => {} });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ScheduleConfigError);
    expect((thrown as ScheduleConfigError).setting).toBe("DIGEST_CRON");
    expect((thrown as Error).message).toMatch(message);
  });

  it.each(["Mars/Olympus_Mons", "UTC+8", " "])("refuses DIGEST_TZ %j with a clear message", (tz) => {
    expect(() => createDigestSchedule({ cron: "0 8 * * *", tz, run: async () => {} })).toThrow(
      expect.objectContaining({ name: "ScheduleConfigError", setting: "DIGEST_TZ", message: expect.stringMatching(/^DIGEST_TZ=.* cannot be used: it is/) }),
    );
  });
});
