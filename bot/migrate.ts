/**
 * Copies one set of stores into another (`npm run migrate -- --from sqlite --to redis`): articles with
 * their quotes (in ingest order), the seed-file index, subscribers with their cursors, language and
 * pause state, and user preferences. Safe to re-run: articles are keyed by id, subscribers by chat,
 * key-value entries by key; nothing is duplicated and cursors only move forward.
 *
 * Cursors are ingest-order positions, and the target numbers articles itself: each cursor is
 * translated to the target's seq of the newest article the subscriber had been given.
 * The outbox is not copied: let the old instance finish its deliveries first.
 */
import type Keyv from "keyv";
import type { Storage } from "./storage.js";

export interface MigrationReport {
  articles: { copied: number; alreadyThere: number };
  seedFiles: number;
  subscribers: { added: number; alreadyThere: number };
  preferences: number;
}

const PAGE = 500;

export async function migrateStorage(from: Storage, to: Storage): Promise<MigrationReport> {
  const report: MigrationReport = {
    articles: { copied: 0, alreadyThere: 0 },
    seedFiles: 0,
    subscribers: { added: 0, alreadyThere: 0 },
    preferences: 0,
  };
  // Source seq → target seq, ascending in both (ingest order is kept).
  const seqMap: Array<[number, number]> = [];
  for (let after = 0; ; ) {
    const batch = await from.articles.since(after, PAGE);
    for (const stored of batch) {
      const result = await to.articles.put(stored.article, stored.quotes, stored.ingestedAt);
      if (result === "unchanged") report.articles.alreadyThere += 1;
      else report.articles.copied += 1;
      const target = await to.articles.get(stored.article.id);
      if (target) seqMap.push([stored.seq, target.seq]);
      after = stored.seq;
    }
    if (batch.length < PAGE) break;
  }
  /** The target seq of the newest copied article at or before `cursor` (binary search: both seqs ascend). */
  const translateCursor = (cursor: number): number => {
    let low = 0;
    let high = seqMap.length - 1;
    let translated = 0;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [source, target] = seqMap[middle]!;
      if (source <= cursor) {
        translated = target;
        low = middle + 1;
      } else high = middle - 1;
    }
    return translated;
  };

  report.seedFiles = await copyKeyv(from.seedFiles, to.seedFiles);

  for (let after: number | null = null; ; ) {
    const page = await from.subscribers.page(after, PAGE);
    for (const subscriber of page) {
      const cursor = translateCursor(subscriber.cursor);
      const result = await to.subscribers.subscribe(subscriber.chatId, { now: subscriber.subscribedAt, cursor, lang: subscriber.lang });
      if (result === "subscribed") report.subscribers.added += 1;
      else report.subscribers.alreadyThere += 1;
      await to.subscribers.advanceCursor([subscriber.chatId], cursor);
      await to.subscribers.setLang(subscriber.chatId, subscriber.lang);
      if (subscriber.status === "paused") await to.subscribers.pause(subscriber.chatId, subscriber.pausedReason ?? "paused before migration");
      after = subscriber.chatId;
    }
    if (page.length < PAGE) break;
  }
  report.preferences = await copyKeyv(from.prefsStore, to.prefsStore);
  return report;
}

async function copyKeyv<V>(from: Keyv<V>, to: Keyv<V>): Promise<number> {
  if (!from.iterator) throw new Error("the source key-value store cannot be iterated");
  let copied = 0;
  for await (const [key, value] of from.iterator(undefined)) {
    if (typeof key !== "string" || value === undefined) continue;
    await to.set(key, value as V);
    copied += 1;
  }
  return copied;
}
