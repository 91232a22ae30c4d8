/**
 * `npm start`: the only module with side effects. Reads the environment once, then runs the bot
 * by long polling (default), by webhook (WEBHOOK_URL set), or in console mode (no BOT_TOKEN).
 * SIGINT/SIGTERM stop it cleanly: no new updates, the ones in progress finish, stores close.
 */
import { RedisConnectError, ScheduleConfigError } from "../digest/index.js";
import { createApp, AppStartError } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { runConsole } from "./console.js";
import { createLogger, scrubToken } from "./logger.js";
import { openRedisStorage } from "./storage.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.botToken) {
    // The terminal is the chat: keep routine logs out of it unless asked for.
    const level = config.logLevel === "info" ? "warn" : config.logLevel;
    await runConsole({ config, logger: createLogger(level), input: process.stdin, output: process.stdout });
    return;
  }
  const logger = createLogger(config.logLevel);
  // REDIS_URL: every store in Redis, so several instances share subscribers, articles and the outbox.
  const storage = config.redisUrl
    ? await openRedisStorage({ url: config.redisUrl, ...(config.redisKeyPrefix ? { keyPrefix: config.redisKeyPrefix } : {}) })
    : undefined;
  const app = createApp({ config, logger, ...(storage ? { storage } : {}) });
  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      logger.info({ signal }, "stopping");
      await app.stop();
      logger.info("stopped");
    })();
    return stopping;
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  try {
    await app.start();
  } catch (error) {
    // A signal during start aborts it: that is a clean stop, not a failure.
    if (stopping) return void (await stopping);
    await app.stop().catch(() => {});
    throw error;
  }
}

try {
  await main();
} catch (error) {
  // Configuration and start problems are the operator's to fix: a sentence, not a stack trace.
  const operatorErrors = [ConfigError, AppStartError, ScheduleConfigError, RedisConnectError];
  if (operatorErrors.some((kind) => error instanceof kind)) {
    process.stderr.write(`${scrubToken((error as Error).message)}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  } else {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
