/**
 * The runtime configuration, read from the environment once at start (DESIGN §5) and validated
 * here, so the rest of the program trusts its types. Nothing else reads `process.env`.
 */
import { validate as isValidCron } from "node-cron";
import { z } from "zod";

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().trim().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional());
const positiveInt = (fallback: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(max).default(fallback));

const envSchema = z
  .object({
    BOT_TOKEN: optionalString.refine((t) => t === undefined || /^\d+:[\w-]{20,}$/.test(t), {
      message: "does not look like a bot token (digits, a colon, then the secret)",
    }),
    TELEGRAM_API_ROOT: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).default("https://api.telegram.org")),
    SEEDS_DIR: z.preprocess(emptyToUndefined, z.string().default("./seeds")),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./data")),
    REDIS_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^rediss?$/ }).optional()),
    REDIS_KEY_PREFIX: optionalString.refine((p) => p === undefined || /^[A-Za-z0-9_.:-]{0,63}:$/.test(p), {
      message: "must be up to 64 characters of A-Z, a-z, 0-9, _ . : - ending in ':' (e.g. 'digest:' or 'newsbot-prod:')",
    }),
    DIGEST_CRON: z
      .preprocess(emptyToUndefined, z.string().default("0 8 * * *"))
      .refine(isValidCron, { message: "is not a valid cron expression (five or six fields, e.g. '0 8 * * *')" }),
    DIGEST_TZ: z
      .preprocess(emptyToUndefined, z.string().default("UTC"))
      .refine(isTimeZone, { message: "is not an IANA time zone (e.g. 'Europe/Berlin', 'Asia/Shanghai', 'UTC')" }),
    DIGEST_MAX_ARTICLES: positiveInt(10, 50),
    DELIVERY_RATE: positiveInt(25, 1000),
    DELIVERY_LEASE_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(86_400).optional()),
    ADMIN_IDS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default("")
        .transform((s, ctx) => {
          const ids = s.split(/[\s,]+/).filter(Boolean);
          const bad = ids.filter((id) => !/^-?\d+$/.test(id));
          if (bad.length) ctx.addIssue({ code: "custom", message: `holds non-numeric ids: ${bad.join(", ")}` });
          return ids.map(Number);
        }),
    ),
    WEBHOOK_URL: optionalUrl,
    WEBHOOK_SECRET: optionalString.refine((s) => s === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(s), {
      message: "must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)",
    }),
    PORT: positiveInt(8080, 65535),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ),
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  botToken: string | null;
  apiRoot: string;
  seedsDir: string;
  dataDir: string;
  redisUrl: string | null;
  /** Prefix of every Redis key (REDIS_KEY_PREFIX); undefined: the storage's default, "digest:". */
  redisKeyPrefix?: string | undefined;
  digest: { cron: string; tz: string; maxArticles: number };
  deliveryRate: number;
  /** How long a delivery claim lasts (DELIVERY_LEASE_SECONDS, in ms); undefined: the worker's default (120 s). */
  deliveryLeaseMs?: number | undefined;
  adminIds: number[];
  webhook: { url: string; secret: string; port: number } | null;
  logLevel: Env["LOG_LEVEL"];
}

/** Parses an environment (normally `process.env`) into a Config, or throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
  // Checked apart from the schema so that it is reported together with every other problem.
  if (env.WEBHOOK_URL?.trim() && !env.WEBHOOK_SECRET?.trim()) {
    problems.push("WEBHOOK_SECRET: is required when WEBHOOK_URL is set (it proves updates come from Telegram)");
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    botToken: e.BOT_TOKEN ?? null,
    apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    seedsDir: e.SEEDS_DIR,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL ?? null,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    digest: { cron: e.DIGEST_CRON, tz: e.DIGEST_TZ, maxArticles: e.DIGEST_MAX_ARTICLES },
    deliveryRate: e.DELIVERY_RATE,
    deliveryLeaseMs: e.DELIVERY_LEASE_SECONDS === undefined ? undefined : e.DELIVERY_LEASE_SECONDS * 1000,
    adminIds: e.ADMIN_IDS,
    webhook: e.WEBHOOK_URL ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET ?? "", port: e.PORT } : null,
    logLevel: e.LOG_LEVEL,
  };
}
