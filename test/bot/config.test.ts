import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../bot/config.js";

describe("loadConfig", () => {
  it("gives the documented defaults for an empty environment (console mode)", () => {
    const config = loadConfig({});
    expect(config).toEqual({
      botToken: null,
      apiRoot: "https://api.telegram.org",
      seedsDir: "./seeds",
      dataDir: "./data",
      redisUrl: null,
      digest: { cron: "0 8 * * *", tz: "UTC", maxArticles: 10 },
      deliveryRate: 25,
      adminIds: [],
      webhook: null,
      logLevel: "info",
    });
  });

  it("treats empty strings as unset, as a copied .env.example leaves them", () => {
    expect(loadConfig({ BOT_TOKEN: "", REDIS_URL: "", ADMIN_IDS: " ", PORT: "" }).botToken).toBeNull();
  });

  it("reads every variable", () => {
    const config = loadConfig({
      BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789",
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
      SEEDS_DIR: "/srv/seeds",
      DATA_DIR: "/srv/data",
      REDIS_URL: "redis://127.0.0.1:6379",
      DIGEST_CRON: "*/30 * * * * *",
      DIGEST_TZ: "Asia/Shanghai",
      DIGEST_MAX_ARTICLES: "7",
      DELIVERY_RATE: "20",
      ADMIN_IDS: "42, 1001",
      WEBHOOK_URL: "https://bot.example.org/hook",
      WEBHOOK_SECRET: "s3cr3t_-",
      PORT: "9000",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      apiRoot: "http://127.0.0.1:8081",
      redisUrl: "redis://127.0.0.1:6379",
      digest: { cron: "*/30 * * * * *", tz: "Asia/Shanghai", maxArticles: 7 },
      deliveryRate: 20,
      adminIds: [42, 1001],
      webhook: { url: "https://bot.example.org/hook", secret: "s3cr3t_-", port: 9000 },
      logLevel: "debug",
    });
  });

  it("lists every problem at once, naming each variable", () => {
    let error: unknown;
    try {
      loadConfig({ DIGEST_CRON: "every morning", DIGEST_TZ: "Mars/Olympus", DELIVERY_RATE: "-3", ADMIN_IDS: "42,bob", WEBHOOK_URL: "https://x.org/h" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const name of ["DIGEST_CRON", "DIGEST_TZ", "DELIVERY_RATE", "ADMIN_IDS", "WEBHOOK_SECRET"]) expect(problems).toContain(name);
  });

  it("reads the scale-out settings and refuses a key prefix without its colon or a zero lease", () => {
    const config = loadConfig({ REDIS_URL: "redis://127.0.0.1:6379", REDIS_KEY_PREFIX: "news-bot:", DELIVERY_LEASE_SECONDS: "30" });
    expect(config.redisKeyPrefix).toBe("news-bot:");
    expect(config.deliveryLeaseMs).toBe(30_000);
    let error: unknown;
    try {
      loadConfig({ REDIS_KEY_PREFIX: "news-bot", DELIVERY_LEASE_SECONDS: "0" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toContain("REDIS_KEY_PREFIX");
    expect(problems).toContain("DELIVERY_LEASE_SECONDS");
  });

  it("never puts a malformed token's value in the error", () => {
    const secret = "not-a-token-but-secret";
    expect(() => loadConfig({ BOT_TOKEN: secret })).toThrow(ConfigError);
    try {
      loadConfig({ BOT_TOKEN: secret });
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
      expect((e as Error).message).toContain("BOT_TOKEN");
    }
  });
});
