/**
 * The Redis Lock: one hash per held name, `lock:<name>` under the connection's prefix, holding the
 * owner and the lease end.
 *
 * Why not a bare `SET name owner NX PX ttl`: the Lock port takes `now` from the caller (digest/ code
 * never reads the clock), and Redis's own expiry runs on the server's clock, so `acquire(…, now)`
 * could not tell whether a lease has ended at the caller's `now`. Each script therefore compares the
 * stored lease end with `now`, and also sets PEXPIRE ttl on the key: with real clocks
 * (now ≈ server time) the key disappears on its own when the lease ends, as with SET NX PX, so a
 * crashed holder leaves nothing behind. Owner checks happen inside the scripts, so a holder whose
 * lease ran out and was taken over cannot renew or release the new holder's lease.
 */
import { StoreClosedError } from "./errors.js";
import type { Lock } from "./lock.js";
import { requireLockArguments } from "./lock.js";
import { defineLuaScript } from "./redis-connection.js";
import type { RedisConnection } from "./redis-connection.js";

/** KEYS: the lock. ARGV: owner, ttlMs, now, expiresAt. Takes a free, ended or own lease. */
const ACQUIRE = defineLuaScript(
  "lock.acquire",
  `
local held = redis.call("HMGET", KEYS[1], "owner", "expiresAt")
if held[1] and held[1] ~= ARGV[1] and tonumber(held[2]) > tonumber(ARGV[3]) then return 0 end
redis.call("HSET", KEYS[1], "owner", ARGV[1], "expiresAt", ARGV[4])
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return 1
`,
);

/** KEYS: the lock. ARGV: owner, ttlMs, now, expiresAt. Extends only a lease of this owner that has not ended. */
const RENEW = defineLuaScript(
  "lock.renew",
  `
local held = redis.call("HMGET", KEYS[1], "owner", "expiresAt")
if held[1] ~= ARGV[1] or tonumber(held[2]) <= tonumber(ARGV[3]) then return 0 end
redis.call("HSET", KEYS[1], "expiresAt", ARGV[4])
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return 1
`,
);

/** KEYS: the lock. ARGV: owner. */
const RELEASE = defineLuaScript(
  "lock.release",
  `
if redis.call("HGET", KEYS[1], "owner") ~= ARGV[1] then return 0 end
return redis.call("DEL", KEYS[1])
`,
);

/** `close()` only retires this adapter: the connection is shared, and whoever opened it closes it. */
export function createRedisLock(redis: RedisConnection): Lock {
  const lockKey = (name: string): string => redis.key("lock", name);
  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("RedisLock", operation);
  };

  return {
    async acquire(name, owner, ttlMs, now) {
      open("acquire");
      requireLockArguments("acquire", name, owner, ttlMs, now);
      return (await redis.run(ACQUIRE, [lockKey(name)], [owner, ttlMs, now, now + ttlMs])) === 1;
    },
    async renew(name, owner, ttlMs, now) {
      open("renew");
      requireLockArguments("renew", name, owner, ttlMs, now);
      return (await redis.run(RENEW, [lockKey(name)], [owner, ttlMs, now, now + ttlMs])) === 1;
    },
    async release(name, owner) {
      open("release");
      return (await redis.run(RELEASE, [lockKey(name)], [owner])) === 1;
    },
    async holder(name, now) {
      open("holder");
      const [owner, expiresAt] = await redis.client.hmGet(lockKey(name), ["owner", "expiresAt"]);
      if (owner === null || owner === undefined || expiresAt === null || expiresAt === undefined) return null;
      return Number(expiresAt) > now ? { owner, expiresAt: Number(expiresAt) } : null;
    },
    async close() {
      closed = true;
    },
  };
}
