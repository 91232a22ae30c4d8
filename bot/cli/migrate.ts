/**
 * `npm run migrate -- --from sqlite --to redis [--data DIR] [--redis URL]`: copies subscribers (with
 * cursors), articles (with quotes), the seed-file index and preferences from the SQLite file in
 * DATA_DIR into the Redis at REDIS_URL. Safe to re-run. Stop the SQLite instance first and let its
 * outbox drain: pending deliveries are not copied.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { migrateStorage } from "../migrate.js";
import { openRedisStorage, openStorage } from "../storage.js";
import { runCli } from "./run-cli.js";

const USAGE = "usage: npm run migrate -- --from sqlite --to redis [--data DIR] [--redis URL]";

await runCli(async () => {
  const { values } = parseArgs({
    options: {
      from: { type: "string" },
      to: { type: "string" },
      data: { type: "string" },
      redis: { type: "string" },
    },
  });
  if (values.from !== "sqlite" || values.to !== "redis") {
    process.stderr.write(`${USAGE}\n(only sqlite → redis is supported)\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig(process.env);
  const redisUrl = values.redis ?? config.redisUrl;
  if (!redisUrl) {
    process.stderr.write(`${USAGE}\nREDIS_URL is not set and --redis was not given\n`);
    process.exitCode = 2;
    return;
  }
  const from = openStorage({ dataDir: values.data ?? config.dataDir });
  try {
    // The same keys the bot will use: REDIS_KEY_PREFIX applies here as in bot/main.ts.
    const to = await openRedisStorage({ url: redisUrl, ...(config.redisKeyPrefix ? { keyPrefix: config.redisKeyPrefix } : {}) });
    try {
      const report = await migrateStorage(from, to);
      process.stdout.write(
        `Copied ${from.location} → ${to.location}:\n` +
          `  articles: ${report.articles.copied} copied, ${report.articles.alreadyThere} already there\n` +
          `  subscribers: ${report.subscribers.added} added, ${report.subscribers.alreadyThere} already there (cursors moved forward)\n` +
          `  seed-file records: ${report.seedFiles}, preferences: ${report.preferences}\n`,
      );
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
});
