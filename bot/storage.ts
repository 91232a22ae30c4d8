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

/** The stores of one engine, before they are put together into a Storage. */
interface EngineStores {
  articles: ArticleStore;
  seedFiles: Keyv<SeedFileRecord>;
  prefsStore: Keyv<string>;
  subscribers: SubscriberStore;
  outbox: Outbox;
  lock: Lock;
  location: string;
  redis?: RedisConnection;
  /** Closes what the engine opened underneath the stores (the database file, the connections). */
  closeEngine(): Promise<void>;
}

/** One Storage from either engine: the same shape, and stores closed before what they stand on. */
function assemble(stores: EngineStores): Storage {
  const { closeEngine, ...rest } = stores;
  return {
    ...rest,
    prefs: keyvUserPrefs(stores.prefsStore),
    async close() {
      await stores.lock.close();
      await stores.outbox.close();
      await stores.subscribers.close();
      await stores.articles.close();
      await closeEngine();
    },
  };
}

export function openStorage(options: { dataDir: string }): Storage {
  const db = openSqlite({ dataDir: options.dataDir });
  return assemble({
    articles: createSqliteArticleStore(db),
    seedFiles: createKeyv<SeedFileRecord>(db, "seed-files"),
    prefsStore: createKeyv<string>(db, "user-prefs"),
    subscribers: createSqliteSubscriberStore(db),
    outbox: createSqliteOutbox(db),
    lock: createSqliteLock(db),
    location: db.file,
    closeEngine: async () => db.close(),
  });
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
  return assemble({
    articles: createRedisArticleStore(connection),
    seedFiles,
    prefsStore,
    subscribers: createRedisSubscriberStore(connection),
    outbox: createRedisOutbox(connection),
    lock: createRedisLock(connection),
    location: `${connection.keyPrefix}* at ${redactRedisUrl(options.url)}`,
    redis: connection,
    async closeEngine() {
      await seedFiles.disconnect();
      await prefsStore.disconnect();
      await connection.close();
    },
  });
}
