/**
 * /digest for the operator (ADMIN_IDS): runs the digest job now — the same run the cron tick makes,
 * through the schedule's `runNow` so a tick and /digest never overlap — and says what it queued.
 * Everyone else gets the ordinary unknown-command answer.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { OutboxCounts } from "../../digest/index.js";
import type { DigestJobReport } from "../digest-job.js";
import type { Translate } from "../i18n.js";
import type { Logger } from "../logger.js";

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
      return void (await ctx.reply(ctx.t("digest-admin-failed", { error: (error as Error)?.message ?? String(error) })));
    }
    if (outcome.busy || outcome.report.skipped === "locked") return void (await ctx.reply(ctx.t("digest-admin-busy")));
    const { report } = outcome;
    deps.logger.info({ userId, digests: report.digests.length, enqueued: report.enqueued }, "/digest run by admin");
    if (report.digests.length === 0) {
      return void (await ctx.reply(ctx.t("digest-admin-nothing", { subscribers: report.activeSubscribers })));
    }
    const chats = report.digests.reduce((n, d) => n + d.chats, 0);
    const already = report.digests.reduce((n, d) => n + d.already, 0);
    await ctx.reply(ctx.t("digest-admin-done", { digests: report.digests.length, chats, already }));
  });
  return composer;
}

/** The last digest run as /stats shows it: when, and what it queued or why it failed. */
export interface DigestRunStatus {
  at: number;
  report?: DigestJobReport;
  error?: Error;
}

/**
 * The digest lines /stats adds (issue 5, "Visibility"): outbox counts, paused subscriptions, the
 * last run and the next, in the admin's language through `t`.
 */
export function digestStatusLines(state: {
  outbox: OutboxCounts;
  paused: number;
  lastRun: DigestRunStatus | null;
  nextRunAt: number | null;
  formatTime: (epochMs: number) => string;
  t: Translate;
}): string[] {
  const { t } = state;
  const lines = [t("stats-outbox", { ...state.outbox }), t("stats-paused", { paused: state.paused })];
  const last = state.lastRun;
  if (last === null) lines.push(t("stats-no-digest"));
  else if (last.error) lines.push(t("stats-last-digest-failed", { time: state.formatTime(last.at), error: last.error.message }));
  else {
    lines.push(
      t("stats-last-digest", {
        time: state.formatTime(last.at),
        digests: last.report?.digests.length ?? 0,
        enqueued: last.report?.enqueued ?? 0,
      }),
    );
  }
  if (state.nextRunAt !== null) lines.push(t("stats-next-digest", { time: state.formatTime(state.nextRunAt) }));
  return lines;
}
