/**
 * /digest through a real grammY bot (with the bot's i18n) against the emulator: an admin runs the
 * real digest job on real stores and is told what was queued; anyone else gets the unknown-command
 * answer and nothing runs; a run in progress is not doubled.
 */
import { Bot } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryArticleStore, createMemorySubscriberStore } from "../../../digest/index.js";
import { createMemoryOutbox } from "../../../digest/store/memory-outbox.js";
import type { BotContext, UiLang } from "../../../bot/context.js";
import { defaultTranslate, runDigestJob, type DigestJobDeps } from "../../../bot/digest-job.js";
import { digestAdminFeature, digestStatusLines } from "../../../bot/features/digest-admin.js";
import { createI18n } from "../../../bot/i18n.js";
import { startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";
import { corpusStored, memoryLogger } from "../digest-fixtures.js";

let emulator: BotApiEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const ADMIN = 9001;
const prefs = { getLang: async (): Promise<UiLang | null> => null, setLang: async () => {} };

async function setup(runDigest?: Parameters<typeof digestAdminFeature>[0]["runDigest"]) {
  emulator = await startBotApiEmulator();
  const articles = createMemoryArticleStore();
  const subscribers = createMemorySubscriberStore();
  const outbox = createMemoryOutbox(subscribers);
  for (const stored of corpusStored().slice(0, 3)) await articles.put(stored.article, stored.quotes, 1);
  for (const chatId of [11, 12, 13]) await subscribers.subscribe(chatId, { now: 1, cursor: 0, lang: "en" });
  const deps: DigestJobDeps = { articles, subscribers, outbox, digest: { tz: "UTC", maxArticles: 10 } };
  let runs = 0;
  const bot = new Bot<BotContext>("123:abc", { botInfo: emulator.botInfo, client: { apiRoot: emulator.apiRoot } });
  bot.use(createI18n(prefs).middleware());
  bot.use(
    digestAdminFeature({
      adminIds: [ADMIN],
      now: () => 1_800_000_000_000,
      logger: memoryLogger().logger,
      runDigest:
        runDigest ??
        (async (now) => {
          runs += 1;
          return { busy: false, report: await runDigestJob(deps, now) };
        }),
    }),
  );
  return { bot, outbox, runs: () => runs };
}

describe("digestAdminFeature", () => {
  it("runs the digest job for an admin and says what it queued", async () => {
    const { bot, outbox, runs } = await setup();
    await bot.handleUpdate(emulator!.userSends("/digest", { chatId: ADMIN }));
    expect(runs()).toBe(1);
    expect(await outbox.stats()).toMatchObject({ pending: 3 });
    expect(emulator!.chat(ADMIN).messages.at(-1)?.text).toBe("Queued 1 digest for 3 chats.");
    // Again: nothing new since the cursors moved.
    await bot.handleUpdate(emulator!.userSends("/digest", { chatId: ADMIN }));
    expect(emulator!.chat(ADMIN).messages.at(-1)?.text).toBe("Nothing new for any of the 3 active subscribers: no digest queued.");
  });

  it("answers anyone else like an unknown command and runs nothing", async () => {
    const { bot, outbox, runs } = await setup();
    await bot.handleUpdate(emulator!.userSends("/digest", { chatId: 1234 }));
    expect(runs()).toBe(0);
    expect(await outbox.stats()).toMatchObject({ pending: 0 });
    const reply = emulator!.chat(1234).messages.at(-1)?.text ?? "";
    expect(reply).toContain("/digest");
    expect(reply).not.toMatch(/Queued|digest run/i);
  });

  it("says so when a run is already going", async () => {
    const { bot } = await setup(async () => ({ busy: true }));
    await bot.handleUpdate(emulator!.userSends("/digest", { chatId: ADMIN }));
    expect(emulator!.chat(ADMIN).messages.at(-1)?.text).toMatch(/already going/);
  });
});

describe("digestStatusLines", () => {
  it("reports the outbox, paused chats, the last run and the next", async () => {
    const subscribers = createMemorySubscriberStore();
    const articles = createMemoryArticleStore();
    const outbox = createMemoryOutbox(subscribers);
    for (const stored of corpusStored().slice(0, 2)) await articles.put(stored.article, stored.quotes, 1);
    for (const chatId of [1, 2, 3]) await subscribers.subscribe(chatId, { now: 1, cursor: 0 });
    await subscribers.pause(3, "blocked");
    const report = await runDigestJob({ articles, subscribers, outbox, digest: { tz: "UTC", maxArticles: 10 } }, 5);
    const [item] = await outbox.claim("w", 1, 1000, 10);
    await outbox.ack([item!.id], "w");
    const lines = digestStatusLines({
      outbox: await outbox.stats(),
      paused: (await subscribers.counts()).paused,
      lastRun: { at: Date.UTC(2026, 0, 2, 8), report },
      nextRunAt: Date.UTC(2026, 0, 3, 8),
      formatTime: (ms) => new Date(ms).toISOString().slice(0, 16),
      t: defaultTranslate("en"),
    });
    expect(lines).toEqual([
      "Outbox: 1 pending, 0 sending, 1 sent, 0 failed",
      "Paused subscriptions: 1",
      "Last digest run: 2026-01-02T08:00 — 1 digest(s), 2 queued",
      "Next digest: 2026-01-03T08:00",
    ]);
  });
});
