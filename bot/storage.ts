/**
 * Opens the stores the application runs on. One place decides the engine, so the bot, the cron
 * job and every CLI see the same data.
 */
import type Keyv from "keyv";
import {
  createKeyv,
  createRedisArticleStore,
  createRedisKeyv,
  createRedisLock,
  createRedisOutbox,
  createRedisSubscriberStore,
  openRedis,
  redactRedisUrl,
  createSqliteArticleStore,
  createSqliteLock,
  createSqliteOutbox,
  createSqliteSubscriberStore,
  openSqlite,
  type ArticleStore,
  type Lock,
  type Outbox,
  type RedisConnection,
  type SeedFileRecord,
  type SubscriberStore,
} from "../digest/index.js";
import type { UiLang, UserPrefs } from "./context.js";

export interface Storage {
  articles: ArticleStore;
  /** What ingest remembers about each seed file between runs. */
  seedFiles: Keyv<SeedFileRecord>;
  subscribers: SubscriberStore;
  /** Digest deliveries per (digest, chat), on the same database (enqueue and cursor move share a transaction). */
  outbox: Outbox;
  /** Leases that keep one digest run at a time across processes sharing the database. */
  lock: Lock;
  /** Per-user choices (the interface language set with /lang). */
  prefs: UserPrefs;
  /** The key-value store behind `prefs` (for copying between engines). */
  prefsStore: Keyv<string>;
  /** Where the database lives, for messages to the operator. */
  location: string;
  /** The Redis connection when the stores are in Redis: the send budget shares its limit with other instances through it. */
  redis?: RedisConnection;
  close(): Promise<void>;
}

const isUiLang = (v: unknown): v is UiLang => v === "en" || v === "zh";

/** UserPrefs over a keyv namespace: key `lang:<userId>`. */
export function keyvUserPrefs(store: Keyv<string>): UserPrefs {
  return {
    async getLang(userId) {
      const value = await store.get(`lang:${userId}`);
      return isUiLang(value) ? value : null;
    },
    async setLang(userId, lang) {
      await store.set(`lang:${userId}`, lang);
    },
  };
}

export function openStorage(options: { dataDir: string }): Storage {
  const db = openSqlite({ dataDir: options.dataDir });
  const articles = createSqliteArticleStore(db);
  const seedFiles = createKeyv<SeedFileRecord>(db, "seed-files");
  const prefsStore = createKeyv<string>(db, "user-prefs");
  const subscribers = createSqliteSubscriberStore(db);
  const outbox = createSqliteOutbox(db);
  const lock = createSqliteLock(db);
  return {
    articles,
    seedFiles,
    subscribers,
    outbox,
    lock,
    prefs: keyvUserPrefs(prefsStore),
    prefsStore,
    location: db.file,
    async close() {
      await lock.close();
      await outbox.close();
      await subscribers.close();
      await articles.close();
      db.close();
    },
  };
}

/**
 * The same stores in Redis, for several instances sharing one REDIS_URL: every port's Redis adapter
 * on one connection (the outbox moves subscriber cursors in its own scripts, so both must share the
 * connection and prefix), keyv namespaces under the same prefix.
 */
export async function openRedisStorage(options: { url: string; keyPrefix?: string }): Promise<Storage> {
  const keyPrefix = options.keyPrefix ?? "digest:";
  const connection = await openRedis(options.url, { keyPrefix });
  const seedFiles = createRedisKeyv<SeedFileRecord>(options.url, "seed-files", { keyPrefix });
  const prefsStore = createRedisKeyv<string>(options.url, "user-prefs", { keyPrefix });
  const articles = createRedisArticleStore(connection);
  const subscribers = createRedisSubscriberStore(connection);
  const outbox = createRedisOutbox(connection);
  const lock = createRedisLock(connection);
  return {
    articles,
    seedFiles,
    subscribers,
    outbox,
    lock,
    prefs: keyvUserPrefs(prefsStore),
    prefsStore,
    location: `${connection.keyPrefix}* at ${redactRedisUrl(options.url)}`,
    redis: connection,
    async close() {
      await lock.close();
      await outbox.close();
      await subscribers.close();
      await articles.close();
      await seedFiles.disconnect();
      await prefsStore.disconnect();
      await connection.close();
    },
  };
}
