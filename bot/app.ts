/**
 * The running application: open the stores, ingest the seeds folder (only new or changed files,
 * with quote extraction), build the quote index and the search index from every stored article,
 * then take updates — by long polling (runner, one chat's updates in order) or by webhook — and
 * run the digest schedule (DIGEST_CRON) and the delivery worker that drains the outbox.
 * Command replies and the fan-out share one send budget (DELIVERY_RATE), replies first.
 * `start()` returns once updates flow; `stop()` stops taking them, stops the schedule and the
 * worker, and closes the stores.
 */
import { createServer, type Server } from "node:http";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { run, type RunnerHandle } from "@grammyjs/runner";
import { webhookCallback, type Bot, type Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import {
  createDigestSchedule,
  createQuoteIndex,
  extractQuotes,
  indexedArticleOf,
  ingest,
  QUOTE_EXTRACTOR_VERSION,
  quotesAreStale,
  type ArticleStore,
  type DigestSchedule,
  type IngestReport,
  type QuoteIndex,
  type QuoteSet,
  type StoredArticle,
} from "../digest/index.js";
import { createArticleSearch, type ArticleSearch } from "./article-search.js";
import type { Config } from "./config.js";
import type { BotContext, BotDeps, IngestStatus } from "./context.js";
import { createBot, publishCommands } from "./create-bot.js";
import { lockRunCoordinator } from "./cron-coordinator.js";
import { createDeliveryApi } from "./delivery/delivery-api.js";
import { createRedisSendGate } from "./delivery/redis-gate.js";
import { SendBudget } from "./delivery/send-budget.js";
import { createDeliveryWorker, type DeliveryWorker } from "./delivery/worker.js";
import { runDigestJob, type DigestJobDeps, type DigestJobReport } from "./digest-job.js";
import { digestAdminFeature, digestStatusLines } from "./features/digest-admin.js";
import type { Logger } from "./logger.js";
import { openStorage, type Storage } from "./storage.js";
import { localTime } from "./views/text.js";

export class AppStartError extends Error {
  override name = "AppStartError";
  constructor(step: string, options: { cause: unknown }) {
    super(`cannot start the bot: ${step} failed: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
  }
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  now?: () => number;
  /** For tests: a known identity (skips getMe) and transformers under auto-retry. */
  botInfo?: UserFromGetMe;
  transformers?: Transformer[];
  /** Override of the polling/webhook choice made from the config (console mode polls). */
  transport?: "polling" | "webhook" | "none";
  rateLimit?: { limit: number; timeFrameMs: number };
  onUpdateHandled?: (updateId: number) => void;
  /** How long start waits for the Bot API to answer getMe (default 20 s). */
  startTimeoutMs?: number;
  /** For tests: transformers on the delivery worker's Api (they see every attempt). */
  deliveryTransformers?: Transformer[];
  /** Stores opened by the caller (Redis: `openRedisStorage`); default the SQLite file in DATA_DIR. The app closes them on stop. */
  storage?: Storage;
  /** For tests: how often the delivery worker looks for due items when idle (default 1 s). */
  deliveryPollMs?: number;
  /** For tests: how often an instance on shared stores looks for articles others added or edited (default 5 s). */
  indexCatchUpMs?: number;
}

export interface App {
  bot: Bot<BotContext>;
  deps: BotDeps;
  storage: Storage;
  /** The digest job on DIGEST_CRON (runNow is what /digest calls). */
  schedule: DigestSchedule<DigestJobReport>;
  /** Drains the outbox; started with the app. */
  worker: DeliveryWorker;
  /** The webhook server's address once started in webhook mode. */
  webhookAddress(): { port: number } | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const PAGE = 500;
/** How long start waits for the Bot API to answer getMe. */
const START_TIMEOUT_MS = 20_000;

/** Fills the quote index and the search index from every stored article, in ingest order. */
export async function loadIndexes(store: ArticleStore, quotes: QuoteIndex, search: ArticleSearch): Promise<number> {
  return (await indexAllArticles(store, quotes, search)).count;
}

/**
 * The quotes to index for a stored article. Articles stored without quotes (the ingest CLI) or read
 * by an older extractor are read again, and the new quotes are stored, so an upgrade reaches every
 * article it has read, once. A store that refuses the write (read-only file) costs only the
 * re-extraction at the next start: the fresh quotes are indexed all the same.
 */
async function currentQuotes(store: ArticleStore, stored: StoredArticle, log?: Logger): Promise<{ quotes: QuoteSet; reextracted: boolean }> {
  if (!quotesAreStale(stored.quotes)) return { quotes: stored.quotes!, reextracted: false };
  const quotes = extractQuotes(stored.article);
  try {
    // Only onto the text they were read from: an edit stored meanwhile by another instance wins.
    await store.setQuotes(stored.article.id, stored.article.contentHash, quotes);
  } catch (error) {
    log?.warn({ err: error, articleId: stored.article.id }, "re-extracted quotes could not be stored; indexed anyway");
  }
  return { quotes, reextracted: true };
}

/** Indexes one stored article (re-reading its quotes if stale); true when they were re-extracted. */
async function indexStored(store: ArticleStore, quotes: QuoteIndex, search: ArticleSearch, stored: StoredArticle, log?: Logger): Promise<boolean> {
  const current = await currentQuotes(store, stored, log);
  quotes.upsert(indexedArticleOf(stored.article), current.quotes);
  search.upsert(stored.article);
  return current.reextracted;
}

/** Adds every stored article to the indexes, in ingest order; returns how many and how many were re-extracted. */
async function indexAllArticles(
  store: ArticleStore,
  quotes: QuoteIndex,
  search: ArticleSearch,
  log?: Logger,
): Promise<{ count: number; reextracted: number }> {
  let after = 0;
  let count = 0;
  let reextracted = 0;
  for (;;) {
    const batch = await store.since(after, PAGE);
    for (const stored of batch) {
      if (await indexStored(store, quotes, search, stored, log)) reextracted += 1;
      after = stored.seq;
      count += 1;
    }
    if (batch.length < PAGE) return { count, reextracted };
  }
}

/**
 * Re-indexes the articles added or edited after change number `afterChange` (by any instance);
 * returns how many, how many were re-extracted, and the last change number seen.
 */
async function indexChangedSince(
  store: ArticleStore,
  quotes: QuoteIndex,
  search: ArticleSearch,
  afterChange: number,
  log: Logger,
  signal: AbortSignal,
): Promise<{ count: number; reextracted: number; lastChange: number }> {
  let after = afterChange;
  let count = 0;
  let reextracted = 0;
  for (;;) {
    // Stopping: what is indexed so far stays, the rest is read at the next look or start.
    if (signal.aborted) return { count, reextracted, lastChange: after };
    const batch = await store.changedSince(after, PAGE);
    for (const { change, stored } of batch) {
      if (await indexStored(store, quotes, search, stored, log)) reextracted += 1;
      after = change;
      count += 1;
    }
    if (batch.length < PAGE) return { count, reextracted, lastChange: after };
  }
}

/**
 * How often an instance on shared stores looks for articles another instance ingested: only the
 * instance that won a cron slot ingests (and learns what it added), the others would otherwise
 * answer /quotes and /search from what they knew at start.
 */
const INDEX_CATCH_UP_MS = 5_000;
/** How long stop() waits for an index catch-up in progress. */
const CATCH_UP_STOP_WAIT_MS = 5_000;

export function createApp(options: AppOptions): App {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  if (!config.botToken) throw new AppStartError("configuration", { cause: new Error("BOT_TOKEN is empty") });
  const token = config.botToken;
  // hostname-pid alone can repeat across containers (same host name with host networking, pid 1):
  // two instances with one id would share lock ownership and outbox leases.
  const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  // Stores shared with other instances (Redis): the cron fires on every instance, one runs each slot.
  // With SQLite there is one instance, and every tick runs here as before.
  const shared = options.storage?.redis ? options.storage : undefined;
  // Before the store opens: a bad DIGEST_CRON or DIGEST_TZ stops the start with nothing to clean up.
  let schedule: DigestSchedule<DigestJobReport>;
  try {
    schedule = createDigestSchedule({
      cron: config.digest.cron,
      tz: config.digest.tz,
      run: (at) => runDigestJob(jobDeps, at),
      logger,
      ...(shared ? { coordinator: lockRunCoordinator({ lock: shared.lock, owner: workerId, now }) } : {}),
    });
  } catch (cause) {
    throw new AppStartError("the digest schedule", { cause });
  }
  let storage: Storage;
  try {
    storage = options.storage ?? openStorage({ dataDir: config.dataDir });
  } catch (cause) {
    throw new AppStartError(`opening the store in ${config.dataDir}`, { cause });
  }
  const quotes = createQuoteIndex();
  const search = createArticleSearch();
  let lastIngest: IngestStatus | null = null;

  // One budget for both lanes: replies take the next free slot, the fan-out the rest, and together
  // they stay within DELIVERY_RATE. On Redis the bulk lane's limit is shared by every instance.
  const budget = new SendBudget({
    rate: config.deliveryRate,
    ...(storage.redis
      ? {
          gate: createRedisSendGate(storage.redis, { rate: config.deliveryRate }),
          onGateError: (error: unknown) => logger.warn({ err: error }, "send gate (Redis) failed; bulk sends wait and ask again"),
        }
      : {}),
  });
  const worker = createDeliveryWorker({
    outbox: storage.outbox,
    subscribers: storage.subscribers,
    api: createDeliveryApi({
      token,
      apiRoot: config.apiRoot,
      budget,
      ...(options.deliveryTransformers ? { transformers: options.deliveryTransformers } : {}),
    }),
    logger,
    workerId,
    ...(options.deliveryPollMs ? { pollMs: options.deliveryPollMs } : {}),
    ...(config.deliveryLeaseMs ? { leaseMs: config.deliveryLeaseMs } : {}),
  });

  /** After every ingest (start and each digest run): the in-memory indexes learn what changed. */
  const learnIngested = async (report: IngestReport, at: number): Promise<void> => {
    for (const id of report.changedIds) {
      const stored = await storage.articles.get(id);
      if (!stored) continue;
      quotes.upsert(indexedArticleOf(stored.article), (await currentQuotes(storage.articles, stored, logger)).quotes);
      search.upsert(stored.article);
    }
    lastIngest = { at, files: report.files, added: report.added, updated: report.updated, failed: report.failed.length };
  };

  const jobDeps: DigestJobDeps = {
    articles: storage.articles,
    subscribers: storage.subscribers,
    outbox: storage.outbox,
    seeds: { dir: config.seedsDir, fileIndex: storage.seedFiles, extract: extractQuotes },
    digest: { tz: config.digest.tz, maxArticles: config.digest.maxArticles },
    lock: { lock: storage.lock, owner: workerId },
    logger,
    onEnqueued: () => worker.wake(),
    onIngested: (report) => learnIngested(report, now()),
  };

  const formatTime = (epochMs: number) => `${localTime(epochMs, config.digest.tz)} (${config.digest.tz})`;
  const deps: BotDeps = {
    articles: storage.articles,
    subscribers: storage.subscribers,
    prefs: storage.prefs,
    quotes,
    search,
    config: { adminIds: config.adminIds, digest: { cron: config.digest.cron, tz: config.digest.tz } },
    logger,
    now,
    lastIngest: () => lastIngest,
    async digestStatus(t) {
      const last = schedule.lastRun();
      return digestStatusLines({
        outbox: await storage.outbox.stats(),
        paused: (await storage.subscribers.counts()).paused,
        lastRun: last === null ? null : { at: last.startedAt, ...(last.result ? { report: last.result } : {}), ...(last.error ? { error: last.error } : {}) },
        nextRunAt: schedule.nextRunAt(),
        formatTime,
        t,
      });
    },
  };
  const digestAdmin = digestAdminFeature({
    adminIds: config.adminIds,
    now,
    logger,
    async runDigest(at) {
      const outcome = await schedule.runNow(at);
      if (outcome.busy) return { busy: true };
      if (outcome.run.error) throw outcome.run.error;
      return { busy: false, report: outcome.run.result! };
    },
  });
  const { bot, i18n } = createBot({
    token,
    deps,
    apiRoot: config.apiRoot,
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    // Installed in this order, under auto-retry: a test's transformer sees every call and retry,
    // and the budget (nearest the network) takes a permit for each attempt.
    transformers: [budget.transformer("reply"), ...(options.transformers ?? [])],
    extraFeatures: [digestAdmin],
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.onUpdateHandled ? { onUpdateHandled: options.onUpdateHandled } : {}),
  });
  const transport = options.transport ?? (config.webhook ? "webhook" : "polling");
  let runner: RunnerHandle | null = null;
  /** Aborted by stop(): a start still waiting for the Bot API gives up. */
  const stopping = new AbortController();
  let server: Server | null = null;

  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    // stop() during start: do not begin anything new (polling after a stop would never end).
    if (stopping.signal.aborted) throw new AppStartError(name, { cause: new Error("the app is stopping") });
    try {
      return await work();
    } catch (cause) {
      throw new AppStartError(name, { cause });
    }
  };

  let background = false;
  /** The store's change number the in-memory indexes have caught up with (adds and edits by any instance). */
  let indexedChange = 0;
  let catchUpTimer: NodeJS.Timeout | null = null;
  let catchingUp: Promise<void> | null = null;
  const catchUpIndexes = (): Promise<void> => (catchingUp ??= learnFromOthers().finally(() => (catchingUp = null)));
  const learnFromOthers = async (): Promise<void> => {
    try {
      if ((await storage.articles.lastChange()) <= indexedChange) return;
      const learned = await indexChangedSince(storage.articles, quotes, search, indexedChange, logger, stopping.signal);
      indexedChange = learned.lastChange;
      // Mostly another instance's ingest; on the instance that ran the job, its own articles again (harmless: upserts).
      logger.info({ articles: learned.count, reextracted: learned.reextracted, lastChange: indexedChange }, "indexes caught up with the stored articles");
    } catch (error) {
      logger.warn({ err: error }, "index catch-up failed; will try again");
    }
  };

  return {
    bot,
    deps,
    storage,
    schedule,
    worker,
    webhookAddress() {
      const address = server?.address();
      return address && typeof address === "object" ? { port: address.port } : null;
    },
    async start() {
      const started = now();
      const report = await step(`ingest of ${config.seedsDir}`, () =>
        ingest({ seedsDir: config.seedsDir, store: storage.articles, fileIndex: storage.seedFiles, now: started, extract: extractQuotes }),
      );
      lastIngest = {
        at: started,
        files: report.files,
        added: report.added,
        updated: report.updated,
        failed: report.failed.length,
      };
      for (const failure of report.failed) logger.warn({ file: failure.file, reason: failure.reason }, "seed file rejected");
      // Read before the build: whatever changes during it is caught up with again (upserts are idempotent).
      indexedChange = await storage.articles.lastChange();
      const { count: indexed, reextracted } = await step("index build", () => indexAllArticles(storage.articles, quotes, search, logger));
      logger.info({ ...lastIngest, ...quotes.stats(), indexed, reextracted, extractor: QUOTE_EXTRACTOR_VERSION, ms: now() - started }, "ingested and indexed");

      // auto-retry would retry an unreachable TELEGRAM_API_ROOT forever: give the first call a deadline.
      const startTimeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
      const deadline = AbortSignal.any([AbortSignal.timeout(startTimeoutMs), stopping.signal]);
      await step(`getMe at ${config.apiRoot} (deadline ${startTimeoutMs / 1000} s)`, () => bot.init(deadline as Parameters<typeof bot.init>[0]));
      await step("setMyCommands", () => publishCommands(bot, i18n));
      if (transport === "polling") {
        await step("deleteWebhook", () => bot.api.deleteWebhook());
        await step("long polling", async () => {
          runner = run(bot, { runner: { fetch: { allowed_updates: ALLOWED_UPDATES } } });
        });
        logger.info({ bot: bot.botInfo.username, apiRoot: config.apiRoot }, "long polling");
      } else if (transport === "webhook" && config.webhook) {
        server = await step("webhook server", () => startWebhookServer(bot, config.webhook!, logger));
        await step("setWebhook", () =>
          bot.api.setWebhook(config.webhook!.url, {
            secret_token: config.webhook!.secret,
            allowed_updates: ALLOWED_UPDATES,
          }),
        );
        logger.info({ bot: bot.botInfo.username, url: config.webhook.url }, "webhook set");
      }
      // Updates flow: now the digests may be composed and sent (a leftover outbox drains first).
      await step("digest schedule and delivery worker", async () => {
        background = true;
        worker.start();
        await schedule.start();
        if (shared) {
          catchUpTimer = setInterval(() => void catchUpIndexes(), options.indexCatchUpMs ?? INDEX_CATCH_UP_MS);
          catchUpTimer.unref();
        }
      });
    },
    async stop() {
      stopping.abort();
      if (catchUpTimer) clearInterval(catchUpTimer);
      catchUpTimer = null;
      // Before the stores close under it; not forever if the store hangs (Redis down queues commands).
      if (catchingUp) await Promise.race([catchingUp, new Promise((resolve) => setTimeout(resolve, CATCH_UP_STOP_WAIT_MS).unref())]);
      if (runner?.isRunning()) await runner.stop();
      runner = null;
      if (server) {
        const closing = server;
        server = null;
        await new Promise<void>((resolve) => closing.close(() => resolve()));
      }
      if (background) {
        background = false;
        // The schedule first (a run in progress finishes and may still queue), then the worker
        // (sends already made finish, the rest go back to the outbox), then the stores.
        await schedule.stop();
        await worker.stop();
      }
      await storage.close();
    },
  };
}

/** Update kinds the bot handles (my_chat_member is not sent unless asked for). */
const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

/**
 * node:http server for Telegram's webhook calls at the webhook URL's path. grammY checks
 * X-Telegram-Bot-Api-Secret-Token (a wrong one gets 401). A slow update is answered 200 after
 * 9 s and keeps running: a timeout would make Telegram deliver it again.
 */
async function startWebhookServer(
  bot: Bot<BotContext>,
  webhook: NonNullable<Config["webhook"]>,
  logger: Logger,
): Promise<Server> {
  const path = new URL(webhook.url).pathname;
  const handle = webhookCallback(bot, "http", {
    secretToken: webhook.secret,
    onTimeout: "return",
    timeoutMilliseconds: 9_000,
  });
  const server = createServer((req, res) => {
    if (req.method !== "POST" || (req.url ?? "/").split("?")[0] !== path) {
      res.writeHead(404).end();
      return;
    }
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, "webhook request failed");
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(webhook.port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
