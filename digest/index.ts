/**
 * The domain's public surface: `bot/` imports from here and nowhere else in `digest/`.
 */
export type * from "./types.js";
export type { GoldExpert, GoldFile, GoldStatement } from "./gold.js";
export { parseGold, GoldFormatError } from "./gold.js";
export { parseArticle } from "./article.js";
export { SeedError } from "./errors.js";
export { ingest, listSeedFiles, IngestError } from "./ingest.js";
export type { IngestFailure, IngestOptions, IngestReport, SeedFileRecord } from "./ingest.js";
export type { ArticleStore, Page, PutResult, StoredArticle } from "./store/ports.js";
export { createMemoryArticleStore } from "./store/memory.js";
export { openSqlite, createSqliteArticleStore } from "./store/sqlite.js";
export type { SqliteDb } from "./store/sqlite.js";
export { createKeyv } from "./store/keyv-sqlite.js";
export { StoreOpenError } from "./store/errors.js";
export type { Subscriber, SubscriberStore, SubscribeResult } from "./store/ports.js";
export { createMemorySubscriberStore } from "./store/memory-subscribers.js";
export { normalizeName, toSimplified, toTraditional } from "./names.js";
export { createQuoteIndex, indexedArticleOf } from "./quote-index.js";
export type { IndexedArticle, MatchKind, Person, QuoteHit, QuoteIndex, QuoteSearchResult } from "./quote-index.js";
export { extractQuotes, QUOTE_EXTRACTOR_VERSION, quotesAreStale } from "./quotes.js";
export { createSqliteSubscriberStore } from "./store/sqlite-subscribers.js";
export type { SeedErrorReason } from "./errors.js";
export { composeDigest, requireTimeZone, InvalidTimeZoneError } from "./compose.js";
export type { ComposeOptions, Digest, DigestItem, DigestQuote } from "./compose.js";
export type { EnqueueResult, Outbox, OutboxCounts, OutboxDigest, OutboxItem } from "./store/outbox.js";
export { OutboxPayloadError } from "./store/outbox.js";
export { createMemoryOutbox } from "./store/memory-outbox.js";
export { createSqliteOutbox } from "./store/sqlite-outbox.js";
export type { Lock } from "./store/lock.js";
export { createMemoryLock } from "./store/memory-lock.js";
export { createSqliteLock } from "./store/sqlite-lock.js";
export { scoreQuotes } from "./quote-eval.js";
export type { EvalCase, QuoteEvalReport, Scores } from "./quote-eval.js";
export { measureLookupRecall, type LookupRecall } from "./lookup-eval.js";
export { createDigestSchedule, ScheduleConfigError } from "./schedule.js";
export type { DigestSchedule, DigestScheduleOptions } from "./schedule.js";
export {
  openRedis,
  RedisConnectError,
  redactRedisUrl,
  createRedisArticleStore,
  createRedisSubscriberStore,
  createRedisOutbox,
  createRedisLock,
  createRedisKeyv,
} from "./store/redis.js";
export type { RedisConnection } from "./store/redis.js";
