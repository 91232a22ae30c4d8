/**
 * One connection to Redis shared by the Redis adapters, with the key prefix that keeps this
 * deployment's keys (or one test's keys) apart from everything else in the same database, and the
 * Lua scripts that make each multi-key write atomic.
 *
 * node-redis has no automatic key prefixing (ioredis does), so adapters build every key with `key()`.
 */
import { createHash } from "node:crypto";
import { createClient } from "@redis/client";

/** The client type as `createClient` returns it without modules or scripts (RESP2, no type mapping). */
export type RedisClient = ReturnType<typeof createPlainClient>;

function createPlainClient(url: string, connectTimeoutMs: number, reconnectAfterDrop: () => boolean) {
  return createClient({
    url,
    socket: {
      connectTimeout: connectTimeoutMs,
      // Returning the error stops reconnecting: that is what makes the first connect() reject.
      reconnectStrategy: (retries, cause) => (reconnectAfterDrop() ? backoffMs(retries) : cause),
    },
  });
}

/** A string or integer argument of a command or script: Redis receives both as bulk strings. */
export type RedisArg = string | number;

/** A Lua script, sent once by hash (EVALSHA) and again in full only when the server lacks it. */
export interface LuaScript {
  /** For error messages: which script failed. */
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

export function defineLuaScript(name: string, source: string): LuaScript {
  return { name, source, sha1: createHash("sha1").update(source).digest("hex") };
}

export interface RedisConnection {
  readonly client: RedisClient;
  /** Prepended to every key; ends with ":" unless empty. */
  readonly keyPrefix: string;
  /** The full key for `parts` joined with ":", under the prefix. */
  key(...parts: string[]): string;
  /** Runs `script` atomically on the server (a script is one indivisible command in Redis). */
  run(script: LuaScript, keys: readonly string[], args: readonly RedisArg[]): Promise<unknown>;
  /** Waits for commands in flight, then disconnects. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenRedisOptions {
  /** E.g. "digest:" for a deployment, or a unique prefix per test. */
  keyPrefix: string;
  /** Give up connecting after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * Hears errors the client reports between commands (a dropped connection, before it reconnects).
   * Commands still reject on their own; this is for logs. Default: ignore.
   */
  onError?: (error: Error) => void;
}

/** Redis could not be reached or refused us at start; the message names the server and the reason. */
export class RedisConnectError extends Error {
  override name = "RedisConnectError";
  constructor(
    /** The URL with any password masked. */
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super(`Cannot connect to Redis at ${url}: ${reason}. Check REDIS_URL and that redis-server is running.`, options);
  }
}

/** A Lua script failed on the server (a bug in the script or data of the wrong type under a key). */
export class RedisScriptError extends Error {
  override name = "RedisScriptError";
  constructor(
    readonly script: string,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super(`Redis script ${script} failed: ${reason}`, options);
  }
}

/** The URL as it may be logged: the password replaced by "***". */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

/** Delay before reconnect attempt `retries` after a connection that had worked: 50 ms doubling, at most 2 s. */
const backoffMs = (retries: number): number => Math.min(50 * 2 ** retries, 2000);

/**
 * Connects to `url` and resolves once the server answers. A server that cannot be reached at start
 * fails fast with RedisConnectError (a misconfigured REDIS_URL should stop the bot, not hang it);
 * a connection that drops later is re-established with backoff: commands sent meanwhile wait in the
 * queue, while a command already on the wire when it dropped rejects (callers retry, as for any
 * network error).
 */
export async function openRedis(url: string, options: OpenRedisOptions): Promise<RedisConnection> {
  const { keyPrefix, connectTimeoutMs = 5000, onError = () => {} } = options;
  if (keyPrefix !== "" && !keyPrefix.endsWith(":")) {
    throw new RangeError(`openRedis: keyPrefix must end with ":" (got ${JSON.stringify(keyPrefix)})`);
  }
  let connectedOnce = false;
  const client = createPlainClient(url, connectTimeoutMs, () => connectedOnce);
  // Without a listener node-redis re-emits socket errors as an unhandled 'error' event, which ends the process.
  client.on("error", (error: Error) => onError(error));
  try {
    await client.connect();
    connectedOnce = true;
  } catch (error) {
    // A failed connect has usually closed the client already, and destroy() throws on a closed client.
    if (client.isOpen) client.destroy();
    throw new RedisConnectError(redactRedisUrl(url), { cause: error });
  }

  let closed = false;
  return {
    client,
    keyPrefix,
    key: (...parts) => keyPrefix + parts.join(":"),
    async run(script, keys, args) {
      const call = { keys: [...keys], arguments: args.map(String) };
      try {
        try {
          return await client.evalSha(script.sha1, call);
        } catch (error) {
          // The server forgets scripts on restart or SCRIPT FLUSH; send the source, which caches it again.
          if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
          return await client.eval(script.source, call);
        }
      } catch (error) {
        throw new RedisScriptError(script.name, { cause: error });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (client.isOpen) await client.close();
    },
  };
}
