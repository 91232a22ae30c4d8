/** The Redis adapters of every storage port, for several instances sharing one REDIS_URL (DESIGN §6). */
export { openRedis, RedisConnectError, RedisScriptError, redactRedisUrl } from "./redis-connection.js";
export type { RedisConnection } from "./redis-connection.js";
export { createRedisArticleStore } from "./redis-articles.js";
export { createRedisSubscriberStore } from "./redis-subscribers.js";
export { createRedisOutbox } from "./redis-outbox.js";
export { createRedisLock } from "./redis-lock.js";
export { createRedisKeyv } from "./redis-kv.js";
