/**
 * One digest run (issue 5, "Scheduling"): ingest SEEDS_DIR, then for every group of active
 * subscribers that share a cursor and a language compose the digest of what is new since that
 * cursor, render it once, and queue it for the whole group together with the cursor advance
 * (`outbox.enqueueDigest`, one transaction). The cron tick, an admin's /digest and the tests call
 * this same function.
 *
 * Re-running is safe: a digest's id is derived from the articles it covers, and the outbox queues a
 * (digest, chat) pair once; a crash between two groups leaves the later groups' cursors where they
 * were, so the next run picks them up.
 */
import type Keyv from "keyv";
import {
  composeDigest,
  ingest,
  type Article,
  type ArticleStore,
  type Digest,
  type IngestReport,
  type Lock,
  type Outbox,
  type QuoteSet,
  type SeedFileRecord,
  type StoredArticle,
  type Subscriber,
  type SubscriberStore,
} from "../digest/index.js";
import { createTranslations, translatorFor } from "./i18n.js";
import type { Logger } from "./logger.js";
import type { DigestLang, Translate } from "./render/digest-strings.js";
import { renderDigest, type RenderedDigest } from "./render/digest.js";

export interface DigestJobDeps {
  articles: ArticleStore;
  subscribers: SubscriberStore;
  outbox: Outbox;
  /** SEEDS_DIR and what ingest needs; absent: the job only composes from what is stored. */
  seeds?: { dir: string; fileIndex: Keyv<SeedFileRecord>; extract?: (article: Article) => QuoteSet };
  digest: { tz: string; maxArticles: number };
  /** The language for subscribers who never chose one (their client's is unknown at send time). */
  defaultLang?: DigestLang;
  /** When given, one run at a time across processes sharing it (a cron tick and an admin's /digest). */
  lock?: { lock: Lock; owner: string; ttlMs?: number };
  logger?: Pick<Logger, "info" | "warn">;
  /** Called once digests were queued, so a delivery worker can start without waiting for its poll. */
  onEnqueued?: () => void;
  /**
   * Called after the ingest with what it added or changed (before composing), so the bot's
   * in-memory indexes learn the new articles. A throw fails the run.
   */
  onIngested?: (report: IngestReport) => void | Promise<void>;
  /** The digest's words per language; default: the bot's locale files. */
  translate?: (lang: DigestLang) => Translate;
}

export interface DigestJobGroupReport {
  /** The outbox digest id: the composed digest's id and the language. */
  digestId: string;
  lang: DigestLang;
  /** The cursor the group had, and the one it has now. */
  fromSeq: number;
  toSeq: number;
  /** Articles covered, and how many of them the digest shows. */
  articles: number;
  shown: number;
  messages: number;
  chats: number;
  /** Outbox items created, and pairs that were already queued (a re-run). */
  added: number;
  already: number;
}

export interface DigestJobReport {
  at: number;
  /** Null when the run was skipped because another holds the lock. */
  skipped: null | "locked";
  ingest: { files: number; added: number; updated: number; unchanged: number; failed: number } | null;
  activeSubscribers: number;
  /** Groups of subscribers with nothing new: no digest for them. */
  upToDate: number;
  digests: DigestJobGroupReport[];
  /** Outbox items created over all groups. */
  enqueued: number;
}

const SUBSCRIBER_PAGE = 1000;
const ARTICLE_PAGE = 500;
/**
 * Chats per enqueueDigest transaction: each batch commits its items with its own cursors, so
 * atomicity holds per chat, and the write lock is never held long enough to stall the delivery
 * worker's acks.
 */
const ENQUEUE_BATCH = 5000;
const DEFAULT_LOCK_TTL_MS = 10 * 60_000;
const LOCK_NAME = "digest-job";

let translations: ReturnType<typeof createTranslations> | null = null;
/** The locale files, read on first use (importing this module reads nothing). */
export function defaultTranslate(lang: DigestLang): Translate {
  translations ??= createTranslations();
  return translatorFor(translations, lang);
}

/** The interface language of a digest for this subscriber. */
export function digestLangOf(subscriber: Pick<Subscriber, "lang">, fallback: DigestLang): DigestLang {
  return subscriber.lang === "zh" || subscriber.lang === "en" ? subscriber.lang : fallback;
}

export async function runDigestJob(deps: DigestJobDeps, now: number): Promise<DigestJobReport> {
  const report: DigestJobReport = { at: now, skipped: null, ingest: null, activeSubscribers: 0, upToDate: 0, digests: [], enqueued: 0 };
  if (deps.lock) {
    const { lock, owner } = deps.lock;
    if (!(await lock.acquire(LOCK_NAME, owner, deps.lock.ttlMs ?? DEFAULT_LOCK_TTL_MS, now))) {
      deps.logger?.warn({ holder: await lock.holder(LOCK_NAME, now) }, "digest run skipped: another run holds the lock");
      return { ...report, skipped: "locked" };
    }
  }
  try {
    await runLocked(deps, now, report);
  } finally {
    if (deps.lock) await deps.lock.lock.release(LOCK_NAME, deps.lock.owner);
  }
  if (report.enqueued > 0) deps.onEnqueued?.();
  deps.logger?.info(
    { activeSubscribers: report.activeSubscribers, digests: report.digests.length, enqueued: report.enqueued, upToDate: report.upToDate },
    "digest run done",
  );
  return report;
}

async function runLocked(deps: DigestJobDeps, now: number, report: DigestJobReport): Promise<void> {
  if (deps.seeds) {
    const ingested = await ingest({
      seedsDir: deps.seeds.dir,
      store: deps.articles,
      fileIndex: deps.seeds.fileIndex,
      now,
      ...(deps.seeds.extract ? { extract: deps.seeds.extract } : {}),
    });
    report.ingest = {
      files: ingested.files,
      added: ingested.added,
      updated: ingested.updated,
      unchanged: ingested.unchanged,
      failed: ingested.failed.length,
    };
    for (const failure of ingested.failed) deps.logger?.warn({ file: failure.file, reason: failure.reason }, "seed file rejected");
    await deps.onIngested?.(ingested);
  }
  const translate = deps.translate ?? defaultTranslate;

  const groups = await groupActiveSubscribers(deps.subscribers, deps.defaultLang ?? "en");
  report.activeSubscribers = [...groups.values()].reduce((n, g) => n + g.chatIds.length, 0);

  // One composition per cursor (languages share it), one rendering per (cursor, language).
  const composed = new Map<number, Digest | null>();
  for (const group of [...groups.values()].sort((a, b) => a.cursor - b.cursor || a.lang.localeCompare(b.lang))) {
    let digest = composed.get(group.cursor);
    if (digest === undefined) {
      digest = composeDigest(await articlesSince(deps.articles, group.cursor), {
        now,
        tz: deps.digest.tz,
        max: deps.digest.maxArticles,
      });
      composed.set(group.cursor, digest);
    }
    if (digest === null) {
      report.upToDate += 1;
      continue;
    }
    const rendered: RenderedDigest = renderDigest(digest, translate(group.lang));
    // The payload is stored once per outbox id: each language needs its own.
    const outboxDigest = { id: `${digest.id}-${group.lang}`, payload: rendered };
    let added = 0;
    let already = 0;
    for (let i = 0; i < group.chatIds.length; i += ENQUEUE_BATCH) {
      const batch = group.chatIds.slice(i, i + ENQUEUE_BATCH);
      const result = await deps.outbox.enqueueDigest(outboxDigest, batch, digest.lastSeq, now);
      added += result.added;
      already += result.already;
    }
    report.enqueued += added;
    report.digests.push({
      digestId: outboxDigest.id,
      lang: group.lang,
      fromSeq: group.cursor,
      toSeq: digest.lastSeq,
      articles: digest.header.count,
      shown: digest.items.length,
      messages: rendered.messages.length,
      chats: group.chatIds.length,
      added,
      already,
    });
  }
}

interface SubscriberGroup {
  cursor: number;
  lang: DigestLang;
  chatIds: number[];
}

async function groupActiveSubscribers(store: SubscriberStore, fallback: DigestLang): Promise<Map<string, SubscriberGroup>> {
  const groups = new Map<string, SubscriberGroup>();
  let after: number | null = null;
  for (;;) {
    const page = await store.page(after, SUBSCRIBER_PAGE);
    for (const subscriber of page) {
      if (subscriber.status !== "active") continue;
      const lang = digestLangOf(subscriber, fallback);
      const key = `${subscriber.cursor}:${lang}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { cursor: subscriber.cursor, lang, chatIds: [] }));
      group.chatIds.push(subscriber.chatId);
    }
    if (page.length < SUBSCRIBER_PAGE) return groups;
    after = page[page.length - 1]!.chatId;
  }
}

/** Every article stored after `cursor`, in ingest order. */
async function articlesSince(store: ArticleStore, cursor: number): Promise<StoredArticle[]> {
  const all: StoredArticle[] = [];
  let after = cursor;
  for (;;) {
    const page = await store.since(after, ARTICLE_PAGE);
    all.push(...page);
    if (page.length < ARTICLE_PAGE) return all;
    after = page[page.length - 1]!.seq;
  }
}
