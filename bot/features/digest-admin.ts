/**
 * /digest for the operator (ADMIN_IDS): runs the digest job now — the same run the cron tick makes —
 * and says what it queued. Everyone else gets the ordinary unknown-command answer. The lead wires
 * `runDigest` to the schedule's `runNow` (so a tick and /digest never overlap) or to runDigestJob.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { OutboxCounts } from "../../digest/index.js";
import type { DigestJobReport } from "../digest-job.js";
import type { Logger } from "../logger.js";
import { DIGEST_ADMIN_STRINGS } from "../render/digest-strings.js";

export interface DigestAdminDeps {
  adminIds: readonly number[];
  /** Runs the job; resolves `{ busy: true }` when a run is already going. */
  runDigest: (now: number) => Promise<{ busy: true } | { busy: false; report: DigestJobReport }>;
  now: () => number;
  logger: Pick<Logger, "info" | "error">;
}

export function digestAdminFeature(deps: DigestAdminDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("digest", async (ctx) => {
    const userId = ctx.from?.id;
    if (userId === undefined || !deps.adminIds.includes(userId)) {
      return void (await ctx.reply(ctx.t("unknown-command", { command: "/digest" })));
    }
    let outcome: Awaited<ReturnType<DigestAdminDeps["runDigest"]>>;
    try {
      outcome = await deps.runDigest(deps.now());
    } catch (error) {
      deps.logger.error({ err: error, userId }, "/digest run failed");
      return void (await ctx.reply(DIGEST_ADMIN_STRINGS.failed((error as Error).message ?? String(error))));
    }
    if (outcome.busy || outcome.report.skipped === "locked") return void (await ctx.reply(DIGEST_ADMIN_STRINGS.busy));
    const { report } = outcome;
    deps.logger.info({ userId, digests: report.digests.length, enqueued: report.enqueued }, "/digest run by admin");
    if (report.digests.length === 0) return void (await ctx.reply(DIGEST_ADMIN_STRINGS.nothing(report.activeSubscribers)));
    const chats = report.digests.reduce((n, d) => n + d.chats, 0);
    const already = report.digests.reduce((n, d) => n + d.already, 0);
    await ctx.reply(DIGEST_ADMIN_STRINGS.done(report.digests.length, chats, already));
  });
  return composer;
}

/**
 * The digest lines /stats adds (issue 5, "Visibility"): outbox counts, paused subscriptions, the
 * last run and the next. Plain strings, for the lead to append in features/stats.ts.
 */
export function digestStatusLines(state: {
  outbox: OutboxCounts;
  paused: number;
  lastRun: { at: number; report?: DigestJobReport; error?: Error } | null;
  nextRunAt: number | null;
  formatTime: (epochMs: number) => string;
}): string[] {
  const lines = [DIGEST_ADMIN_STRINGS.outbox(state.outbox), DIGEST_ADMIN_STRINGS.paused(state.paused)];
  const last = state.lastRun;
  if (last === null) lines.push(DIGEST_ADMIN_STRINGS.noRun);
  else if (last.error) lines.push(DIGEST_ADMIN_STRINGS.lastRunFailed(state.formatTime(last.at), last.error.message));
  else lines.push(DIGEST_ADMIN_STRINGS.lastRun(state.formatTime(last.at), last.report?.digests.length ?? 0, last.report?.enqueued ?? 0));
  if (state.nextRunAt !== null) lines.push(DIGEST_ADMIN_STRINGS.nextRun(state.formatTime(state.nextRunAt)));
  return lines;
}
