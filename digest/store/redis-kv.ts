/**
 * keyv's key-value API over Redis through @keyv/redis: the distributed twin of `createKeyv` in
 * keyv-sqlite.ts. Keys are stored as "<keyPrefix><namespace>::<key>", with TTLs as Redis PX expiry.
 */
import type Keyv from "keyv";
import { createKeyv as createKeyvOverRedis } from "@keyv/redis";

export interface RedisKeyvOptions {
  /** Put in front of the namespace, as `openRedis`'s keyPrefix is put in front of the adapters' keys. */
  keyPrefix?: string;
  /** Give up connecting after this long (default 5000 ms). */
  connectTimeoutMs?: number;
}

/**
 * A keyv on its own Redis connection (close it with `keyv.disconnect()`). Errors always throw
 * (DESIGN §6: keyv swallows them otherwise), connection failures included.
 */
export function createRedisKeyv<Value = unknown>(url: string, namespace: string, options: RedisKeyvOptions = {}): Keyv<Value> {
  // Without a namespace @keyv/redis's clear() and iterator() would reach every unprefixed key in the database.
  if (namespace === "") throw new RangeError("createRedisKeyv: namespace must not be empty");
  const keyv = createKeyvOverRedis(url, {
    namespace: `${options.keyPrefix ?? ""}${namespace}`,
    throwOnErrors: true,
    throwOnConnectError: true,
    connectionTimeout: options.connectTimeoutMs ?? 5000,
  });
  return keyv as Keyv<Value>;
}
