/**
 * Every command through the real bot (bot.handleUpdate) on the real corpus: what the user gets
 * back, checked against Telegram's rules by the recording transport.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { InlineKeyboardButton } from "grammy/types";
import { createHarness, corpusArticles, type Harness, type RecordedCall } from "./harness.js";

const buttonsOf = (call: RecordedCall): InlineKeyboardButton.CallbackButton[] =>
  ((call.payload.reply_markup as { inline_keyboard?: InlineKeyboardButton[][] } | undefined)?.inline_keyboard ?? [])
    .flat()
    .filter((b): b is InlineKeyboardButton.CallbackButton => "callback_data" in b);

const textOf = (calls: RecordedCall[]): string =>
  calls.map((c) => String(c.payload.text ?? c.payload.caption ?? "")).join("\n");

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
}, 60_000);

describe("/start and /help", () => {
  it("greets in English with a subscribe button", async () => {
    const calls = await h.send("/start", { firstName: "Ada" });
    const [reply] = h.sent(calls);
    expect(reply?.payload.text).toContain("Hello, Ada!");
    expect(buttonsOf(reply!).map((b) => b.callback_data)).toEqual(["sub"]);
    expect(h.violations).toEqual([]);
  });

  it("greets in Chinese for a zh client", async () => {
    const calls = await h.send("/start", { languageCode: "zh-hans", userId: 7002, firstName: "小明" });
    expect(textOf(h.sent(calls))).toContain("你好，小明！");
  });

  it("lists every command with an example, naming a real article id", async () => {
    const calls = await h.send("/help");
    const text = textOf(h.sent(calls));
    for (const command of ["/latest", "/full", "/quotes", "/experts", "/search", "/subscribe", "/unsubscribe", "/lang"]) {
      expect(text).toContain(command);
    }
    const [newest] = await h.deps.articles.latest({ limit: 1 });
    expect(text).toContain(`/full ${newest!.article.id}`);
  });

  it("opens an article from a deep link a_<id>", async () => {
    const { article } = corpusArticles().find((c) => c.article.title.includes("日韩首脑"))!;
    const calls = await h.send(`/start a_${article.id}`);
    expect(textOf(h.sent(calls))).toContain(article.blocks.at(-1)!.text.slice(0, 20));
  });

  it("opens an expert's quotes from a deep link q_<id>", async () => {
    const person = h.deps.quotes.search("曹良铉", { limit: 1 }).hits[0]!.person;
    const calls = await h.send(`/start q_${person.id}`);
    const text = textOf(h.sent(calls));
    expect(text).toContain("曹良铉");
    expect(text).toContain("韩日关系明显改善");
  });

  it("answers a stale deep link with the greeting and a note", async () => {
    const calls = await h.send("/start q_zzzzzzzz");
    const text = textOf(h.sent(calls));
    expect(text).toContain("no longer have");
    expect(text).toContain("Hello");
  });
});

describe("/latest", () => {
  it("shows 5 newest articles by default with title links, lead, quote and ≤64-byte buttons", async () => {
    const calls = await h.send("/latest");
    const sent = h.sent(calls);
    const newest = await h.deps.articles.latest({ limit: 5 });
    const text = textOf(sent);
    for (const { article } of newest) {
      expect(text).toContain(article.title);
      expect(text).toContain(`/full_${article.id}`);
    }
    const entities = sent.flatMap((c) => c.payload.entities as Array<{ type: string; url?: string }>);
    expect(entities.filter((e) => e.type === "text_link").map((e) => e.url)).toEqual(
      expect.arrayContaining(newest.map(({ article }) => new URL(article.url).href)),
    );
    const buttons = sent.flatMap(buttonsOf);
    expect(buttons.filter((b) => b.callback_data.startsWith("f:"))).toHaveLength(5);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    expect(text).toContain("💬");
    expect(h.violations).toEqual([]);
  });

  it("clamps n to 1..20 and shows dates in DIGEST_TZ", async () => {
    const many = h.sent(await h.send("/latest 500"));
    const fullButtons = many.flatMap(buttonsOf).filter((b) => b.callback_data.startsWith("f:"));
    expect(fullButtons).toHaveLength(20);
    for (const call of many) expect(String(call.payload.text).length).toBeLessThanOrEqual(4096);
    const one = h.sent(await h.send("/latest 0"));
    expect(one.flatMap(buttonsOf).filter((b) => b.callback_data.startsWith("f:"))).toHaveLength(1);
    // seed.txt: Sun, 19 Nov 2023 05:15:52 GMT → 13:15 in Asia/Shanghai, on the line after its title.
    const seed = corpusArticles().find((c) => c.article.title.includes("日韩首脑"))!.article;
    const listed = textOf(many);
    expect(listed).toContain(`${seed.title}\nVOA Chinese · 2023-11-19 13:15`);
    expect(h.violations).toEqual([]);
  });
});

describe("/full", () => {
  const longest = () =>
    corpusArticles().reduce((a, b) =>
      b.article.blocks.reduce((n, x) => n + x.text.length, 0) > a.article.blocks.reduce((n, x) => n + x.text.length, 0) ? b : a,
    ).article;

  it("sends the photo with its caption, then every paragraph in order, split with (k/n), previews off", async () => {
    const article = longest();
    const calls = h.sent(await h.send(`/full ${article.id}`));
    const messages = calls.filter((c) => c.method === "sendMessage");
    expect(messages.length).toBeGreaterThan(1);
    messages.forEach((m, i) => {
      expect(String(m.payload.text)).toContain(`(${i + 1}/${messages.length})`);
      expect(String(m.payload.text).length).toBeLessThanOrEqual(4096);
      expect(m.payload.link_preview_options).toEqual({ is_disabled: true });
    });
    const all = messages.map((m) => String(m.payload.text)).join("\n");
    let at = 0;
    for (const block of article.blocks) {
      // Every paragraph appears, in order (a paragraph split across messages: its first words).
      const probe = block.text.slice(0, 12);
      const found = all.indexOf(probe, at);
      expect(found, `block "${probe}"`).toBeGreaterThanOrEqual(0);
      at = found;
    }
    expect(article.image).not.toBeNull();
    expect(calls[0]!.method).toBe("sendPhoto");
    expect(calls[0]!.payload.photo).toBe(article.image!.url);
    expect(String(calls[0]!.payload.caption).length).toBeLessThanOrEqual(1024);
    expect(h.violations).toEqual([]);
  });

  it("works as /full_<id> and as the Full text button", async () => {
    const { article } = corpusArticles()[0]!;
    const tapped = h.sent(await h.send(`/full_${article.id}`));
    expect(textOf(tapped)).toContain(article.title);
    const pressed = await h.press(`f:${article.id}`);
    expect(pressed[0]!.method).toBe("answerCallbackQuery");
    expect(textOf(h.sent(pressed))).toContain(article.title);
  });

  it("answers an unknown id helpfully, with the shape of an id", async () => {
    const text = textOf(h.sent(await h.send("/full nosuchid")));
    expect(text).toContain("nosuchid");
    expect(text).toContain("/latest");
    expect(textOf(h.sent(await h.send("/full")))).toContain("/full ");
  });

  it("keeps the text when Telegram cannot fetch the picture", async () => {
    const article = longest();
    h.failWhen((method) =>
      method === "sendPhoto" ? { error_code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" } : undefined,
    );
    try {
      const calls = await h.send(`/full ${article.id}`);
      expect(h.sent(calls).length).toBeGreaterThan(1);
    } finally {
      h.failWhen(() => undefined);
    }
  });
});

describe("/quotes and /experts", () => {
  it.each([
    ["曹良铉", "Chinese name"],
    ["Yanghyeon Jo", "romanised name"],
    ["曹良鉉", "Traditional form"],
    ["what did 曹良铉 say", "a question"],
  ])("finds 曹良铉's quotes by %s (%s)", async (query) => {
    const sent = h.sent(await h.send(`/quotes ${query}`));
    expect(sent).toHaveLength(1);
    const text = String(sent[0]!.payload.text);
    expect(text).toContain("曹良铉");
    expect(text).toContain("韩国国立外交院");
    expect(h.violations).toEqual([]);
  });

  it("pages with next/prev buttons that edit the message", async () => {
    const first = h.sent(await h.send("/quotes 曹良铉"))[0]!;
    const next = buttonsOf(first).find((b) => b.text.includes("Next"))!;
    expect(next).toBeDefined();
    const edited = await h.press(next.callback_data, { messageId: 77 });
    const edit = edited.find((c) => c.method === "editMessageText")!;
    expect(edit.payload.message_id).toBe(77);
    expect(String(edit.payload.text)).toMatch(/6–/);
    expect(buttonsOf(edit).some((b) => b.text.includes("Previous"))).toBe(true);
    expect(h.violations).toEqual([]);
  });

  it("lists an article's quotes in order for /quotes <article id>", async () => {
    const { article } = corpusArticles().find((c) => c.article.title.includes("日韩首脑"))!;
    const text = String(h.sent(await h.send(`/quotes ${article.id}`))[0]!.payload.text);
    expect(text).toContain(article.title.slice(0, 10));
    const hits = h.deps.quotes.articleQuotes(article.id).slice(0, 5);
    let at = 0;
    for (const hit of hits) {
      const i = text.indexOf(hit.quote.text.slice(0, 15), at);
      expect(i).toBeGreaterThanOrEqual(at);
      at = i;
    }
  });

  it("suggests the nearest names as buttons when nothing matches", async () => {
    const reply = h.sent(await h.send("/quotes 曹良铭"))[0]!;
    expect(String(reply.payload.text)).toContain("No quotes found for “曹良铭”");
    expect(String(reply.payload.text)).toContain("Perhaps you mean");
    const suggestion = buttonsOf(reply).find((b) => b.text === "曹良铉")!;
    expect(suggestion.callback_data).toMatch(/^op:[0-9a-z]{8}:0$/);
    const opened = h.sent(await h.press(suggestion.callback_data));
    expect(String(opened[0]!.payload.text)).toMatch(/^曹良铉: 1–5 of \d+ quotes/);
    const none = h.sent(await h.send("/quotes Zzyzx Qwertyuiop"))[0]!;
    expect(String(none.payload.text)).toBe("No quotes found for “Zzyzx Qwertyuiop”.");
    expect(h.violations).toEqual([]);
  });

  it("shows the most-quoted experts with roles, deep links and buttons", async () => {
    const sent = h.sent(await h.send("/experts"))[0]!;
    const top = h.deps.quotes.topExperts(3);
    for (const { person } of top) expect(String(sent.payload.text)).toContain(person.name);
    const links = (sent.payload.entities as Array<{ type: string; url?: string }>).filter((e) => e.type === "text_link");
    expect(links[0]!.url).toBe(`https://t.me/digest_test_bot?start=q_${top[0]!.person.id}`);
    const button = buttonsOf(sent)[0]!;
    const opened = h.sent(await h.press(button.callback_data));
    expect(String(opened[0]!.payload.text)).toContain(top[0]!.person.name);
    expect(h.violations).toEqual([]);
  });
});

describe("/search, /subscribe, /lang, /stats", () => {
  it("finds articles by words in title and text, Traditional or Simplified", async () => {
    const simplified = String(h.sent(await h.send("/search 供应链"))[0]!.payload.text);
    const traditional = String(h.sent(await h.send("/search 供應鏈"))[0]!.payload.text);
    expect(simplified).toContain("日韩首脑连袂出席美大学座谈会");
    expect(traditional).toBe(simplified.replace("供应链", "供應鏈"));
    expect(String(h.sent(await h.send("/search qqqxxyyzz"))[0]!.payload.text)).toContain("No article mentions");
  });

  it("subscribes and unsubscribes, persisted in the store, saying the schedule in DIGEST_TZ", async () => {
    const chatId = 9100;
    const first = String(h.sent(await h.send("/subscribe", { userId: chatId }))[0]!.payload.text);
    expect(first).toContain("every day at 08:00 (Asia/Shanghai)");
    expect((await h.deps.subscribers.get(chatId))?.status).toBe("active");
    expect((await h.deps.subscribers.get(chatId))?.cursor).toBe(await h.deps.articles.lastSeq());
    expect(String(h.sent(await h.send("/subscribe", { userId: chatId }))[0]!.payload.text)).toContain("already");
    expect(String(h.sent(await h.send("/unsubscribe", { userId: chatId }))[0]!.payload.text)).toContain("Unsubscribed");
    expect(await h.deps.subscribers.get(chatId)).toBeUndefined();
    await h.press("sub", { userId: chatId });
    expect((await h.deps.subscribers.get(chatId))?.status).toBe("active");
  });

  it("switches the interface language with /lang and keeps it", async () => {
    const userId = 9200;
    const chooser = h.sent(await h.send("/lang", { userId }))[0]!;
    expect(buttonsOf(chooser).map((b) => b.callback_data)).toEqual(["lang:zh", "lang:en"]);
    const pressed = await h.press("lang:zh", { userId });
    expect(String(pressed.find((c) => c.method === "editMessageText")!.payload.text)).toContain("中文");
    expect(String(h.sent(await h.send("/start", { userId, firstName: "Ada" }))[0]!.payload.text)).toContain("你好");
    await h.send("/lang en", { userId });
    expect(String(h.sent(await h.send("/start", { userId }))[0]!.payload.text)).toContain("Hello");
  });

  it("shows /stats to admins only; others get the unknown-command answer", async () => {
    const admin = await createHarness({ adminIds: [555] });
    const stats = String(admin.sent(await admin.send("/stats", { userId: 555 }))[0]!.payload.text);
    expect(stats).toContain(`Articles: ${corpusArticles().length}`);
    expect(stats).toMatch(/Quotes: \d+/);
    const other = String(admin.sent(await admin.send("/stats", { userId: 556 }))[0]!.payload.text);
    expect(other).toContain("I don't know /stats");
  });
});
