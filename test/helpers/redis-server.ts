/**
 * A Redis for tests: the one at REDIS_URL when set (CI starts it), else a throwaway `redis-server`
 * started here on a free port with persistence off, and stopped after the tests.
 *
 * When REDIS_URL is unset and there is no redis-server binary, `useTestRedis()` returns a skip reason
 * so that a developer without Redis can still run the other tests. When REDIS_URL is set but does
 * not answer, or the binary exists but will not start, it throws: that must fail, never skip.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { createClient } from "@redis/client";

export type TestRedis =
  | { available: true; url: string; /** Where the URL came from, for the log line. */ origin: string; stop(): Promise<void> }
  | { available: false; skipReason: string };

/** Finds a port nobody listens on by binding port 0 and giving it back. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function redisServerOnPath(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Resolves when the server answers PING; rejects after `timeoutMs`. */
async function waitUntilAnswering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.ping();
      await client.close();
      return;
    } catch (error) {
      lastError = error;
      // destroy() throws on a client that the failed connect already closed.
      if (client.isOpen) client.destroy();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`Redis at ${url} did not answer PING within ${timeoutMs} ms`, { cause: lastError });
}

async function startLocalServer(): Promise<{ url: string; stop(): Promise<void> }> {
  let lastFailure = "";
  // Another process may take the free port between our check and redis-server binding it: try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      "redis-server",
      // --dir: should it ever write a file, not into the project.
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", tmpdir()],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    // If the test worker ends without afterAll (a crash), do not leave the server running.
    const killOnExit = (): void => void child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const url = `redis://127.0.0.1:${port}`;
    const outcome = await Promise.race([
      waitUntilAnswering(url, 5000).then(() => "up" as const, (error: unknown) => error),
      exited.then((code) => `exited with code ${String(code)}` as const),
    ]);
    if (outcome === "up") {
      return {
        url,
        async stop() {
          process.off("exit", killOnExit);
          if (child.exitCode === null) {
            child.kill("SIGTERM");
            await exited;
          }
        },
      };
    }
    process.off("exit", killOnExit);
    child.kill("SIGKILL");
    lastFailure = `${outcome instanceof Error ? outcome.message : String(outcome)}\n${output.trim()}`;
  }
  throw new Error(`Could not start redis-server for the tests:\n${lastFailure}`);
}

/** The Redis the tests use; call `stop()` in afterAll. */
export async function useTestRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== "") {
    try {
      await waitUntilAnswering(fromEnv, 5000);
    } catch (error) {
      throw new Error(`REDIS_URL is set (${fromEnv}) but that Redis does not answer; the Redis tests cannot run.`, {
        cause: error,
      });
    }
    return { available: true, url: fromEnv, origin: "REDIS_URL", stop: async () => {} };
  }
  if (!redisServerOnPath()) {
    return {
      available: false,
      skipReason:
        "Redis tests skipped: REDIS_URL is not set and there is no redis-server on PATH " +
        "(apt-get install redis-server, or export REDIS_URL=redis://host:port)",
    };
  }
  const local = await startLocalServer();
  return { available: true, url: local.url, origin: "redis-server started by the test", stop: local.stop };
}

/** A key prefix no other test run uses: "test:<pid>:<random>:<label>:". */
export function uniqueKeyPrefix(label: string): string {
  return `test:${process.pid}:${randomBytes(4).toString("hex")}:${label}:`;
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never FLUSHDB: CI's Redis may be shared). */
export async function deleteKeysUnder(url: string, prefix: string): Promise<number> {
  if (prefix === "" || /[*?[\]\\]/.test(prefix)) throw new RangeError(`deleteKeysUnder: refusing prefix ${JSON.stringify(prefix)}`);
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on("error", () => {});
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) deleted += await client.unlink(keys);
    }
  } finally {
    await client.close();
  }
  return deleted;
}
