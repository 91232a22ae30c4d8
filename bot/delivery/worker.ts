/**
 * The delivery worker (issue 5, DESIGN §7): drains the outbox through its own `Api`
 * (createDeliveryApi) within Telegram's flood limits and never loses a digest.
 *
 * - Each (digest, chat) item is claimed under a lease, sent, and acked right after the send, so a
 *   crash repeats at most the sends in flight at that moment (a lease that runs out makes the item
 *   due again).
 * - 403 (blocked, deactivated, kicked) and 400 "chat not found": the subscription is paused (kept)
 *   and the item fails. 5xx and network errors: the item is put back with exponential backoff.
 *   Any other 400 is a message Telegram will never take: logged with digest and chat, failed.
 */
import { setMaxListeners } from "node:events";
import type { Api } from "grammy";
import type { Outbox, OutboxItem, SubscriberStore } from "../../digest/index.js";
import type { Logger } from "../logger.js";
import { classifySendError } from "./classify.js";
import { DigestPayloadError, messagesOfPayload, type OutboxMessage } from "./payload.js";

export interface DeliveryWorkerOptions {
  outbox: Outbox;
  subscribers: SubscriberStore;
  /** The worker's own Api (createDeliveryApi), never the bot's: replies must not queue behind it. */
  api: Api;
  logger: Logger;
  /** Distinct per process (leases are per worker name). */
  workerId: string;
  /** Items handled at once (each waits for its budget slot). */
  concurrency?: number;
  /** How long a claim holds an item before another worker may take it. */
  leaseMs?: number;
  /** Sleep between claims when nothing is due. */
  pollMs?: number;
  /** Transient failures before an item is failed for good. */
  maxAttempts?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** A progress line every so often while there is work. */
  progressEveryMs?: number;
  now?: () => number;
}

export interface DeliveryCounters {
  sent: number;
  /** Items acked (an item may hold several messages). */
  delivered: number;
  failed: number;
  paused: number;
  retried: number;
}

export interface DeliveryWorker {
  start(): void;
  /**
   * Stops claiming, lets sends already made finish, and puts back items that had not sent yet.
   * Resolves when nothing is in flight.
   */
  stop(): Promise<void>;
  /** Claims at once instead of at the next poll (after a digest run queued work). */
  wake(): void;
  /** Resolves the next time the worker finds nothing due and holds nothing. */
  idle(): Promise<void>;
  readonly counters: Readonly<DeliveryCounters>;
}

/** Prefix of a retry reason that records how many of the item's messages went out already. */
const PROGRESS_MARK = /^\[sent (\d+)\/(\d+)\] /;
const PAYLOAD_CACHE_SIZE = 16;

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { outbox, subscribers, api, logger, workerId } = options;
  const now = options.now ?? Date.now;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const leaseMs = options.leaseMs ?? 120_000;
  const pollMs = options.pollMs ?? 1000;
  const maxAttempts = options.maxAttempts ?? 20;
  const backoff = options.backoff ?? { baseMs: 2000, maxMs: 10 * 60_000 };
  const progressEveryMs = options.progressEveryMs ?? 5000;

  const counters: DeliveryCounters = { sent: 0, delivered: 0, failed: 0, paused: 0, retried: 0 };
  const active = new Map<number, Promise<void>>();
  const payloads = new Map<string, OutboxMessage[] | DigestPayloadError>();
  let stopController = new AbortController();
  let running = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let idleWaiters: Array<() => void> = [];
  let progressTimer: NodeJS.Timeout | null = null;
  let leaseTimer: NodeJS.Timeout | null = null;
  let progressMark = { at: now(), sent: 0 };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  async function messagesOf(digestId: string): Promise<OutboxMessage[]> {
    let cached = payloads.get(digestId);
    if (cached === undefined) {
      try {
        cached = messagesOfPayload(digestId, await outbox.digestPayload(digestId));
      } catch (error) {
        if (!(error instanceof DigestPayloadError)) throw error;
        cached = error;
      }
      if (payloads.size >= PAYLOAD_CACHE_SIZE) payloads.delete(payloads.keys().next().value as string);
      payloads.set(digestId, cached);
    }
    if (cached instanceof DigestPayloadError) throw cached;
    return cached;
  }

  function backoffMs(attempts: number): number {
    const full = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempts);
    // Jitter keeps a crowd of failed items from coming back in one burst.
    return Math.round(full / 2 + (Math.random() * full) / 2);
  }

  async function deliver(item: OutboxItem): Promise<void> {
    const fields = { digestId: item.digestId, chatId: item.chatId, itemId: item.id };
    let messages: OutboxMessage[];
    try {
      messages = await messagesOf(item.digestId);
    } catch (error) {
      logger.error({ ...fields, err: error }, "digest payload unusable; item failed");
      await outbox.fail(item.id, workerId, (error as Error).message);
      counters.failed += 1;
      return;
    }
    // Queued before the chat unsubscribed or became unreachable: not sent, kept as failed for the record.
    const subscriber = await subscribers.get(item.chatId);
    if (subscriber === undefined || subscriber.status !== "active") {
      const reason = subscriber === undefined ? "unsubscribed before delivery" : `paused before delivery: ${subscriber.pausedReason ?? ""}`;
      await outbox.fail(item.id, workerId, reason);
      counters.failed += 1;
      logger.debug({ ...fields, reason }, "digest not sent");
      return;
    }
    const progress = PROGRESS_MARK.exec(item.lastError ?? "");
    let index = progress && Number(progress[2]) === messages.length ? Number(progress[1]) : 0;
    for (; index < messages.length; index++) {
      const message = messages[index]!;
      try {
        await api.sendMessage(
          item.chatId,
          message.text,
          {
            ...(message.entities ? { entities: message.entities } : {}),
            ...(message.reply_markup ? { reply_markup: message.reply_markup } : {}),
            link_preview_options: { is_disabled: true },
          },
          stopController.signal as unknown as Parameters<Api["sendMessage"]>[3],
        );
        counters.sent += 1;
      } catch (error) {
        await settleFailure(item, index, messages.length, error, fields);
        return;
      }
    }
    await outbox.ack([item.id], workerId);
    counters.delivered += 1;
  }

  async function settleFailure(
    item: OutboxItem,
    index: number,
    total: number,
    error: unknown,
    fields: Record<string, unknown>,
  ): Promise<void> {
    const failure = classifySendError(error);
    const mark = index > 0 ? `[sent ${index}/${total}] ` : "";
    switch (failure.kind) {
      case "unreachable": {
        await subscribers.pause(item.chatId, failure.reason);
        await outbox.fail(item.id, workerId, failure.reason);
        counters.paused += 1;
        counters.failed += 1;
        logger.info({ ...fields, reason: failure.reason }, "chat unreachable; subscription paused");
        return;
      }
      case "rejected": {
        await outbox.fail(item.id, workerId, `${mark}${failure.reason}`);
        counters.failed += 1;
        logger.error({ ...fields, message: index + 1, reason: failure.reason }, "Telegram rejected a digest message; item failed");
        return;
      }
      case "aborted": {
        // Not sent: due again at once for whoever runs next (this process after a restart, or another).
        await outbox.retry(item.id, workerId, now(), `${mark}worker stopped`);
        return;
      }
      case "transient": {
        if (item.attempts + 1 >= maxAttempts) {
          await outbox.fail(item.id, workerId, `${mark}gave up after ${item.attempts + 1} attempts: ${failure.reason}`);
          counters.failed += 1;
          logger.error({ ...fields, attempts: item.attempts + 1, reason: failure.reason }, "digest delivery given up");
          return;
        }
        const delay = Math.max(failure.notBeforeMs ?? 0, backoffMs(item.attempts));
        await outbox.retry(item.id, workerId, now() + delay, `${mark}${failure.reason}`);
        counters.retried += 1;
        logger.warn({ ...fields, attempts: item.attempts + 1, retryInMs: delay, reason: failure.reason }, "digest send failed; will retry");
        return;
      }
    }
  }

  function track(item: OutboxItem): void {
    const task = deliver(item)
      .catch((error: unknown) => {
        // The store failed under us: the lease runs out and the item comes back.
        logger.error({ digestId: item.digestId, chatId: item.chatId, itemId: item.id, err: error }, "delivery bookkeeping failed");
      })
      .finally(() => {
        active.delete(item.id);
        wakeUp?.();
      });
    active.set(item.id, task);
  }

  async function run(): Promise<void> {
    while (running) {
      const free = concurrency - active.size;
      let claimed: OutboxItem[] = [];
      // Claiming in batches (not one item per finished send) keeps write transactions few.
      if (free >= Math.max(1, Math.floor(concurrency / 4))) {
        try {
          claimed = await outbox.claim(workerId, free, leaseMs, now());
        } catch (error) {
          logger.error({ err: error }, "outbox claim failed");
        }
      }
      for (const item of claimed) {
        if (!active.has(item.id)) track(item);
      }
      if (claimed.length === 0 && active.size === 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
        await sleep(pollMs);
      } else if (claimed.length === 0 || active.size >= concurrency) {
        await Promise.race([sleep(pollMs), ...active.values()]);
      }
    }
  }

  /**
   * Renews the leases of the items being sent, a third of a lease before they could run out: a send
   * may wait long (a 429's retry_after, the shared rate of many instances), and an item whose lease
   * ended would be claimed and sent again by another worker. A worker that dies renews nothing, so
   * its items still come back after one lease.
   */
  async function renewLeases(): Promise<void> {
    if (active.size === 0) return;
    try {
      await outbox.extend([...active.keys()], workerId, now() + leaseMs);
    } catch (error) {
      logger.warn({ err: error, items: active.size }, "delivery lease renewal failed; will try again");
    }
  }

  async function logProgress(): Promise<void> {
    const at = now();
    const sentNow = counters.sent;
    const seconds = Math.max(0.001, (at - progressMark.at) / 1000);
    const rate = (sentNow - progressMark.sent) / seconds;
    progressMark = { at, sent: sentNow };
    if (rate === 0 && active.size === 0) return;
    let remaining: number | null = null;
    try {
      const stats = await outbox.stats();
      remaining = stats.pending + stats.claimed;
    } catch {
      // Progress is best effort; the next line will try again.
    }
    logger.info(
      {
        sent: sentNow,
        total: remaining === null ? null : counters.delivered + counters.failed + remaining,
        remaining,
        rate: Math.round(rate * 10) / 10,
        etaSeconds: remaining === null || rate === 0 ? null : Math.round(remaining / rate),
        failed: counters.failed,
        paused: counters.paused,
        retried: counters.retried,
      },
      "delivery progress",
    );
  }

  return {
    counters,
    start() {
      if (running) return;
      running = true;
      stopController = new AbortController();
      // Every item waiting for a slot listens on this one signal.
      setMaxListeners(0, stopController.signal);
      progressMark = { at: now(), sent: counters.sent };
      progressTimer = setInterval(() => void logProgress(), progressEveryMs);
      progressTimer.unref();
      leaseTimer = setInterval(() => void renewLeases(), Math.max(50, Math.floor(leaseMs / 3)));
      leaseTimer.unref();
      loop = run();
    },
    async stop() {
      if (!running) return;
      running = false;
      if (progressTimer) clearInterval(progressTimer);
      progressTimer = null;
      stopController.abort();
      wakeUp?.();
      await loop;
      await Promise.allSettled([...active.values()]);
      // Only now: the sends finishing above still hold their leases.
      if (leaseTimer) clearInterval(leaseTimer);
      leaseTimer = null;
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
      logger.info({ ...counters }, "delivery worker stopped");
    },
    wake() {
      wakeUp?.();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wakeUp?.();
      });
    },
  };
}
