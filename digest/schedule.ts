/**
 * The digest's clock (issue 5, "Scheduling"): one node-cron task at DIGEST_CRON in DIGEST_TZ
 * (a sixth, leading seconds field is allowed) that calls `run`. One task serves every subscriber,
 * so the next run time is computed once per tick by node-cron, never per subscriber.
 *
 * `noOverlap`: a tick that comes while the previous run (or one started with `runNow`, e.g. an
 * admin's /digest) is still going is skipped and logged, never queued behind it.
 * A bad expression or zone is refused when the schedule is created, with a message that names the
 * setting, the value and what is wrong, so the process stops at start instead of never firing.
 *
 * Several instances (issue 6): with a `coordinator`, the task is node-cron's `distributed` task and
 * every tick first asks `coordinator.shouldRun(key, ttlMs)`, where key = "<name>:<the slot's ISO
 * time>" is the same on every instance for the same tick. Exactly one instance may answer yes per
 * key (the caller builds that on a shared lock); the others skip the slot. node-cron fails closed:
 * a coordinator that throws skips the slot on that instance (logged).
 */
import { createTask, validateDetailed, type RunCoordinator, type ScheduledTask, type TaskContext } from "node-cron";

/** The subset of a pino logger the schedule uses (pino's `(fields, message)` call shape). */
export interface ScheduleLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

export interface DigestScheduleOptions<T> {
  /** Five fields, or six with seconds first ("*\/30 * * * * *"). */
  cron: string;
  /** IANA time zone the expression is read in. */
  tz: string;
  /** The job; receives the instant the tick was due (epoch ms). */
  run: (firedAt: number) => Promise<T>;
  logger?: ScheduleLogger;
  /** For logs and node-cron's task list; also the first part of the coordinator's slot key. */
  name?: string;
  /**
   * Shared by all instances of the bot: elects one instance per cron slot. Absent: every tick runs
   * here (one instance, or tests). A plain object, so this module knows nothing of where the claim lives.
   */
  coordinator?: ScheduleCoordinator;
  /** How long a slot's claim lasts (default 60 s): longer than the instances' clock skew. */
  slotClaimMs?: number;
}

/** node-cron's run coordinator: `shouldRun` is true on exactly one instance per key. */
export type ScheduleCoordinator = RunCoordinator;

export interface ScheduleRun<T> {
  /** Epoch ms the run was due (a tick) or asked for (runNow). */
  firedAt: number;
  reason: "scheduled" | "manual";
  startedAt: number;
  finishedAt: number;
  result?: T;
  error?: Error;
}

export interface DigestSchedule<T> {
  readonly cron: string;
  readonly tz: string;
  /** Starts the ticks. Idempotent. */
  start(): Promise<void>;
  /** Stops the ticks and waits for a run in progress to finish. Idempotent. */
  stop(): Promise<void>;
  /**
   * Runs the job now (outside the cron ticks), unless a run is in progress: then it resolves with
   * `{ busy: true }` and nothing runs.
   */
  runNow(now?: number): Promise<{ busy: true } | { busy: false; run: ScheduleRun<T> }>;
  /** When the next tick is due (epoch ms), or null when stopped. */
  nextRunAt(): number | null;
  lastRun(): ScheduleRun<T> | null;
  isRunning(): boolean;
}

/** DIGEST_CRON or DIGEST_TZ is not usable: the schedule is not created. */
export class ScheduleConfigError extends Error {
  override name = "ScheduleConfigError";
  constructor(
    readonly setting: "DIGEST_CRON" | "DIGEST_TZ",
    readonly value: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}=${JSON.stringify(value)} cannot be used: ${problem}`, options);
  }
}

/** Throws ScheduleConfigError unless `cron` is a five- or six-field expression node-cron accepts. */
export function requireCronExpression(cron: string): void {
  const trimmed = cron.trim();
  if (trimmed === "") throw new ScheduleConfigError("DIGEST_CRON", cron, "it is empty (expected e.g. \"0 8 * * *\")");
  const check = validateDetailed(trimmed);
  if (!check.valid) {
    const problems = check.errors.map((e) => (e.field === "expression" ? e.message : `${e.field}: ${e.message}`));
    throw new ScheduleConfigError(
      "DIGEST_CRON",
      cron,
      `${problems.join("; ")} (five fields "minute hour day month weekday", or six with seconds first)`,
    );
  }
}

/** Throws ScheduleConfigError unless `tz` is an IANA zone this runtime knows. */
export function requireScheduleTimeZone(tz: string): void {
  // node-cron does not check the zone: an unknown one leaves a task that never fires.
  if (tz.trim() === "") throw new ScheduleConfigError("DIGEST_TZ", tz, "it is empty (expected e.g. \"UTC\" or \"Asia/Taipei\")");
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch (error) {
    throw new ScheduleConfigError("DIGEST_TZ", tz, "it is not an IANA time zone (e.g. \"UTC\", \"Asia/Taipei\", \"Europe/Berlin\")", {
      cause: error,
    });
  }
}

const silentLogger: ScheduleLogger = { info() {}, warn() {}, error() {} };

/** How long stop() waits for the run of a slot claimed just before it to start. */
const WON_SLOT_START_WAIT_MS = 2_000;

export function createDigestSchedule<T>(options: DigestScheduleOptions<T>): DigestSchedule<T> {
  requireCronExpression(options.cron);
  requireScheduleTimeZone(options.tz);
  const cron = options.cron.trim();
  const { tz } = options;
  const logger = options.logger ?? silentLogger;
  const name = options.name ?? "digest";
  const slotClaimMs = options.slotClaimMs ?? 60_000;
  if (!Number.isSafeInteger(slotClaimMs) || slotClaimMs <= 0)
    throw new RangeError(`digest schedule: slotClaimMs must be a positive integer, got ${String(slotClaimMs)}`);

  let task: ScheduledTask | null = null;
  let stopping = false;
  /**
   * Slots this instance has claimed whose run has not started yet. node-cron asks the coordinator
   * (a Redis round trip) before it calls onTick, and a destroyed task still runs a slot it won: stop()
   * waits for those runs too, or the run would start on closing stores while every other instance
   * has already skipped the slot (nobody would send that digest).
   */
  let wonNotStarted = 0;
  let claimsInFlight = new Set<Promise<boolean>>();
  const coordinator: ScheduleCoordinator | undefined = options.coordinator && {
    shouldRun: (key, ttlMs) => {
      // Stopping: claim nothing more, so the others run the slot.
      if (stopping) return false;
      const claim = Promise.resolve(options.coordinator!.shouldRun(key, ttlMs)).then((won) => {
        if (won) wonNotStarted += 1;
        return won;
      });
      claimsInFlight.add(claim);
      void claim.then(
        () => claimsInFlight.delete(claim),
        () => claimsInFlight.delete(claim),
      );
      return claim;
    },
    ...(options.coordinator.onComplete ? { onComplete: options.coordinator.onComplete.bind(options.coordinator) } : {}),
  };
  let current: Promise<ScheduleRun<T>> | null = null;
  let last: ScheduleRun<T> | null = null;
  let next: number | null = null;

  const execute = (firedAt: number, reason: ScheduleRun<T>["reason"]): Promise<ScheduleRun<T>> => {
    const startedAt = Date.now();
    const running = (async (): Promise<ScheduleRun<T>> => {
      try {
        const result = await options.run(firedAt);
        return { firedAt, reason, startedAt, finishedAt: Date.now(), result };
      } catch (cause) {
        const error = cause instanceof Error ? cause : new Error(String(cause));
        logger.error({ err: error, schedule: name, firedAt: new Date(firedAt).toISOString() }, "digest run failed");
        return { firedAt, reason, startedAt, finishedAt: Date.now(), error };
      }
    })();
    current = running;
    void running.then((run) => {
      last = run;
      if (current === running) current = null;
    });
    return running;
  };

  const onTick = async (context: { date: Date }): Promise<void> => {
    const firedAt = context.date.getTime();
    if (coordinator) wonNotStarted = Math.max(0, wonNotStarted - 1);
    if (current !== null) {
      // An admin's /digest (runNow) may be running: node-cron's noOverlap does not know about it.
      logger.warn({ schedule: name, firedAt: new Date(firedAt).toISOString() }, "digest tick skipped: the previous run is still going");
      return;
    }
    await execute(firedAt, "scheduled");
    next = task?.getNextRun()?.getTime() ?? null;
  };

  return {
    cron,
    tz,
    async start() {
      if (task !== null) return;
      stopping = false;
      task = createTask(cron, onTick, {
        name,
        timezone: tz,
        noOverlap: true,
        ...(options.coordinator
          ? { distributed: true, runCoordinator: coordinator, distributedLease: slotClaimMs }
          : {}),
        logger: {
          info: (message) => logger.info({ schedule: name }, message),
          warn: (message) => logger.warn({ schedule: name }, message),
          error: (message, err) => logger.error({ schedule: name, err: err ?? message }, String(message)),
          debug: (message) => logger.debug?.({ schedule: name }, String(message)),
        },
      });
      if (options.coordinator) {
        // Another instance took the slot: keep the next-run time current for /stats all the same.
        task.on("execution:skipped", (context: TaskContext) => {
          next = task?.getNextRun()?.getTime() ?? null;
          const fields = { schedule: name, firedAt: context.date.toISOString(), reason: context.reason };
          // node-cron has logged the coordinator's error itself (through the logger below).
          if (context.reason === "coordinator-error") logger.error(fields, "digest tick skipped: the slot could not be claimed");
          else logger.debug?.(fields, "digest tick skipped: another instance runs this slot");
        });
      }
      await task.start();
      next = task.getNextRun()?.getTime() ?? null;
      logger.info({ schedule: name, cron, tz, nextRunAt: next === null ? null : new Date(next).toISOString() }, "digest schedule started");
    },
    async stop() {
      const ending = task;
      stopping = true;
      task = null;
      next = null;
      if (ending !== null) await ending.destroy();
      // A slot claimed just before the stop: its run starts right after the claim (see wonNotStarted).
      await Promise.allSettled([...claimsInFlight]);
      for (let waited = 0; wonNotStarted > 0 && waited < WON_SLOT_START_WAIT_MS; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (wonNotStarted > 0) logger.error({ schedule: name }, "stopped with a won digest slot whose run never started: that slot's digest goes out with the next run");
      wonNotStarted = 0;
      claimsInFlight = new Set();
      if (current !== null) await current;
    },
    async runNow(now = Date.now()) {
      if (current !== null) return { busy: true };
      return { busy: false, run: await execute(now, "manual") };
    },
    nextRunAt: () => next,
    lastRun: () => last,
    isRunning: () => current !== null,
  };
}
