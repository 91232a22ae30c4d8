/**
 * The real app as it runs in production — ingest at start, quote index, grammY over HTTP with
 * long polling through TELEGRAM_API_ROOT — against the strict Bot API emulator, checked as a user
 * sees it. Every run must end with zero emulator violations and zero ignored retry_after.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { InlineKeyboardMarkup, Message } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../../bot/app.js";
import type { BotApiEmulator } from "../../../bot/emulator/index.js";
import { createLogger } from "../../../bot/logger.js";
import { parseArticle, type Article } from "../../../digest/index.js";
import { CORPUS_DIR } from "../../helpers/corpus.js";
import { startRunningApp, type RunningApp } from "./running-app.js";

const SEEDS = ["seed.txt", "zh_045.txt", "zh_046.txt", "en_009.txt", "zh_001.txt"];
const TOKEN = "123456789:AAE-end-to-end-token-0123456789abcdef";

let running: RunningApp;
let emulator: BotApiEmulator;
let app: App;
const handled = new Set<number>();
const logLines: string[] = [];
let articles: Article[];

beforeAll(async () => {
  articles = SEEDS.map((file) => parseArticle(readFileSync(join(CORPUS_DIR, file)), file));
  const logger = createLogger("info", {
    write: (line: string) => logLines.push(line),
  } as unknown as NodeJS.WritableStream);
  running = await startRunningApp({
    name: "e2e",
    token: TOKEN,
    seeds: SEEDS,
    env: { DIGEST_TZ: "Asia/Shanghai", ADMIN_IDS: "501" },
    logger,
    onUpdateHandled: (id) => handled.add(id),
  });
  ({ emulator, app } = running);
}, 60_000);

afterAll(() => running?.close());

/** The user writes; resolves with the bot's messages shown in that chat afterwards. */
async function say(chatId: number, text: string, from?: { language_code?: string; first_name?: string }): Promise<Message[]> {
  const before = emulator.hasChat(chatId) ? emulator.chat(chatId).messages.length : 0;
  const update = emulator.userSends(text, { chatId, ...(from ? { from } : {}) });
  await emulator.waitFor(() => handled.has(update.update_id), 30_000);
  return emulator.chat(chatId).messages.slice(before);
}

async function press(chatId: number, message: Message, data: string): Promise<Message[]> {
  const before = emulator.chat(chatId).messages.length;
  const update = emulator.pressButton({ chatId, messageId: message.message_id, data });
  await emulator.waitFor(() => handled.has(update.update_id), 60_000);
  return emulator.chat(chatId).messages.slice(before);
}

const buttons = (message: Message) =>
  ((message.reply_markup as InlineKeyboardMarkup | undefined)?.inline_keyboard ?? []).flat().flatMap((b) =>
    "callback_data" in b && b.callback_data ? [{ text: b.text, data: b.callback_data }] : [],
  );
const textOf = (messages: Message[]) => messages.map((m) => m.text ?? m.caption ?? "").join("\n");
const squash = (s: string) => s.replace(/\s+/gu, "");

describe("a user's first session", () => {
  const chatId = 2001;

  it("ingested the seeds and published the command menu in both languages", () => {
    expect(app.deps.quotes.stats().articles).toBe(SEEDS.length);
    const menus = emulator.commands;
    expect(menus.find((m) => m.language_code === "")?.commands.map((c) => c.command)).toContain("latest");
    expect(menus.find((m) => m.language_code === "zh")?.commands.find((c) => c.command === "quotes")?.description).toMatch(/谁说了什么/);
  });

  it("/start → /subscribe → /latest → full text of the longest article, every paragraph in order", async () => {
    const mei = { first_name: "Mei", language_code: "zh-hans" };
    const [greeting] = await say(chatId, "/start", mei);
    expect(greeting!.text).toContain("你好，Mei！");
    expect(buttons(greeting!).map((b) => b.data)).toEqual(["sub"]);

    const [subscribed] = await say(chatId, "/subscribe", mei);
    expect(subscribed!.text).toContain("每天 08:00（Asia/Shanghai）");
    expect((await app.deps.subscribers.get(chatId))?.status).toBe("active");

    const latest = await say(chatId, "/latest", mei);
    for (const article of articles) expect(textOf(latest)).toContain(article.title);

    const longest = articles.reduce((a, b) => (squash(b.blocks.map((x) => x.text).join("")).length > squash(a.blocks.map((x) => x.text).join("")).length ? b : a));
    const listMessage = latest.find((m) => buttons(m).some((b) => b.data === `f:${longest.id}`))!;
    const full = await press(chatId, listMessage, `f:${longest.id}`);
    const texts = full.filter((m) => m.text);
    expect(texts.length).toBeGreaterThan(1);
    texts.forEach((m, i) => {
      expect(m.text!.endsWith(`(${i + 1}/${texts.length})`)).toBe(true);
      expect(m.text!.length).toBeLessThanOrEqual(4096);
    });
    expect(longest.image).not.toBeNull();
    expect(full[0]!.photo).toBeDefined();
    const received = squash(texts.map((m) => m.text!.replace(/\(\d+\/\d+\)$/, "")).join(""));
    let at = 0;
    for (const block of longest.blocks) {
      const found = received.indexOf(squash(block.text), at);
      expect(found, `paragraph "${block.text.slice(0, 40)}"`).toBeGreaterThanOrEqual(at);
      at = found + squash(block.text).length;
    }
  }, 90_000);
});

describe("the operator", () => {
  it("sees /stats (ADMIN_IDS), while anyone else gets the unknown-command answer", async () => {
    const [stats] = await say(501, "/stats");
    expect(stats!.text).toContain(`Articles: ${SEEDS.length}`);
    expect(stats!.text).toMatch(/Experts: \d+\nQuotes: \d+\nSubscribers: \d+ active, \d+ paused/);
    expect(stats!.text).toMatch(/Last ingest: \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\) — 5 files, 5 added/);
    const [other] = await say(502, "/stats");
    expect(other!.text).toBe("I don't know /stats. /help lists what I can do.");
  });
});

describe("quote lookup", () => {
  it.each([
    [2101, "曹良铉", "a Chinese name"],
    [2102, "Yanghyeon Jo", "the romanised name"],
    [2103, "曹良鉉", "the Traditional form"],
    [2104, "曹教授", "surname + title"],
  ])("finds 曹良铉's quotes for %s (%s)", async (chatId, query) => {
    const [reply] = await say(chatId as number, `/quotes ${query}`);
    expect(reply!.text).toContain("曹良铉");
    expect(reply!.text).toContain("韩国国立外交院");
    expect(buttons(reply!).map((b) => b.text)).toContain("Next ›");
  });

  it("pages forward and back by editing the same message", async () => {
    const chatId = 2105;
    const [first] = await say(chatId, "/quotes 曹良铉");
    const next = buttons(first!).find((b) => b.text === "Next ›")!;
    await press(chatId, first!, next.data);
    const edited = emulator.chat(chatId).messages.find((m) => m.message_id === first!.message_id)!;
    expect(edited.text).toMatch(/Quotes for “曹良铉”: 6–/);
    expect(edited.text).not.toBe(first!.text);
    expect(emulator.chat(chatId).messages).toHaveLength(1);
  });

  it("lists the most-quoted experts, each opening their quotes", async () => {
    const chatId = 2106;
    const [list] = await say(chatId, "/experts");
    const top = app.deps.quotes.topExperts(1)[0]!;
    expect(list!.text).toContain(top.person.name);
    const opened = await press(chatId, list!, buttons(list!)[0]!.data);
    expect(opened[0]!.text).toContain(top.person.name);
  });
});

describe("things that go wrong", () => {
  it("answers a button from before a restart (its query forgotten) with a notice, not an error", async () => {
    const chatId = 2201;
    const [quotes] = await say(chatId, "/quotes 曹良铉");
    const next = buttons(quotes!).find((b) => b.text === "Next ›")!;
    await say(chatId, "/lang zh");
    // Restart: same data, new process state.
    app = await running.restart();
    const answered = new Promise<string | undefined>((resolve) => {
      const off = emulator.onEvent((e) => {
        if (e.kind === "callbackAnswered" && e.chatId === chatId) {
          off();
          resolve(e.text);
        }
      });
    });
    const shown = await press(chatId, quotes!, next.data);
    expect(shown).toEqual([]);
    // In Chinese: the language chosen with /lang before the restart is kept.
    expect(await answered).toBe("这个按钮已过期，请重新发送命令。");
    // What users chose survived the restart: the subscription and the interface language.
    expect((await app.deps.subscribers.get(2001))?.status).toBe("active");
    const [greeting] = await say(chatId, "/start");
    expect(greeting!.text).toContain("你好");
    expect(emulator.chat(chatId).messages.find((m) => m.message_id === quotes!.message_id)?.text).toBe(quotes!.text);
  }, 60_000);

  it("survives a user who blocks the bot mid-article, pauses their subscription, and serves others", async () => {
    const chatId = 2301;
    await say(chatId, "/subscribe");
    const forbiddenBefore = emulator.stats().forbidden;
    const longest = articles.find((a) => a.id === "qu43rc7p") ?? articles[0]!;
    const update = emulator.userSends(`/full ${longest.id}`, { chatId });
    await emulator.waitFor(() => emulator.chat(chatId).messages.length >= 2, 20_000);
    emulator.block(chatId);
    await emulator.waitFor(() => handled.has(update.update_id), 30_000);
    await emulator.waitFor(async () => (await app.deps.subscribers.get(chatId))?.status === "paused", 5_000).catch(() => {});
    expect((await app.deps.subscribers.get(chatId))?.status).toBe("paused");
    expect(emulator.stats().forbidden).toBeGreaterThan(forbiddenBefore);
    const [reply] = await say(2302, "/help");
    expect(reply!.text).toContain("/latest");
  }, 60_000);

  it("keeps within flood limits when one user sends 50 commands in a second", async () => {
    const chatId = 2401;
    const updates = Array.from({ length: 50 }, () => emulator.userSends("/help", { chatId }));
    await emulator.waitFor(() => updates.every((u) => handled.has(u.update_id)), 30_000);
    // The slow-down notice is sent without holding up the chat's queue.
    await emulator.waitFor(() => emulator.chat(chatId).messages.some((m) => m.text?.includes("a lot of messages")), 10_000);
    const shown = emulator.chat(chatId).messages.map((m) => m.text ?? "");
    expect(shown.filter((t) => t.includes("What I can do")).length).toBeLessThanOrEqual(5);
    expect(shown.filter((t) => t.includes("a lot of messages"))).toHaveLength(1);
  }, 60_000);

  it("answers in a group only what is addressed to it, and ignores edited messages", async () => {
    const group = -1002001;
    const before = emulator.calls.length;
    await say(group, "/frobnicate");
    await say(group, "/latest@some_other_bot");
    expect(emulator.calls.slice(before).filter((c) => c.params.chat_id === group)).toEqual([]);
    const latest = await say(group, `/latest@${emulator.botInfo.username} 2`);
    expect(latest[0]!.text).toContain("1. ");
    const [mine] = emulator.chat(group).history.filter((m) => m.from && !m.from.is_bot).slice(-1);
    const edit = emulator.editUserMessage({ chatId: group, messageId: mine!.message_id, text: "/experts" });
    await emulator.waitFor(() => handled.has(edit.update_id), 10_000);
    expect(emulator.chat(group).messages).toHaveLength(latest.length);
  }, 60_000);

  it("ends with zero violations, no ignored retry_after, and no token in the logs", () => {
    expect(emulator.violations).toEqual([]);
    expect(emulator.stats().ignoredRetryAfter).toBe(0);
    expect(logLines.join("\n")).not.toContain(TOKEN.split(":")[1]);
  });
});
