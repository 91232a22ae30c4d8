/**
 * What users do that bots get wrong: huge or hostile arguments, unknown commands, stale buttons,
 * floods, group chats, edits, blocked chats, failures inside a feature. Polite answers or
 * silence, never a crash, never a message Telegram refuses.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHarness, TOKEN } from "./harness.js";

const texts = (calls: { method: string; payload: Record<string, unknown> }[]) =>
  calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text));

describe("hostile input", () => {
  it("answers 5,000-character arguments quickly and within Telegram's limits", async () => {
    const h = await createHarness();
    const long = "曹".repeat(2500) + "x".repeat(2500);
    for (const command of ["/quotes", "/search", "/full", "/latest", "/start", "/lang", "/experts"]) {
      const started = performance.now();
      const calls = await h.send(`${command} ${long}`);
      expect(performance.now() - started, command).toBeLessThan(2000);
      expect(calls.length, command).toBeGreaterThan(0);
      for (const text of texts(calls)) expect(text.length).toBeLessThanOrEqual(4096);
    }
    expect(h.violations).toEqual([]);
  }, 60_000);

  it("never interprets HTML or Markdown in arguments", async () => {
    const h = await createHarness();
    const hostile = `<b>bold</b> *star* _under_ [link](http://evil.example) <a href="tg://x">a</a> &amp; </i>`;
    for (const command of ["/quotes", "/search", "/full"]) {
      const calls = await h.send(`${command} ${hostile}`);
      const sent = calls.filter((c) => c.method === "sendMessage");
      expect(sent.length).toBe(1);
      expect(sent[0]!.payload.parse_mode).toBeUndefined();
      const entities = (sent[0]!.payload.entities ?? []) as Array<{ type: string; url?: string }>;
      expect(entities.some((e) => e.url?.includes("evil") || e.url?.startsWith("tg:"))).toBe(false);
    }
    const quotes = texts(await h.send(`/quotes ${hostile}`))[0]!;
    expect(quotes).toContain("<b>bold</b> *star*");
    expect(h.violations).toEqual([]);
  });
});

describe("any text at all", () => {
  it("gets an answer Telegram accepts and never an error, for every command and argument", async () => {
    const h = await createHarness();
    const commands = ["/start", "/help", "/latest", "/full", "/quotes", "/experts", "/search", "/lang", "/stats", "/nope", ""];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...commands),
        fc.oneof(fc.string({ unit: "grapheme", maxLength: 120 }), fc.string({ unit: "binary", maxLength: 60 }), fc.constantFrom("<b>", "*_", "&amp;", "a_", "q_", "曹良鉉", "\u0000")),
        async (command, argument) => {
          const text = command ? `${command} ${argument}` : argument;
          if (!text.trim()) return;
          const calls = await h.send(text, { userId: 8800 });
          for (const c of calls) expect(c.error, `${c.method} for ${JSON.stringify(text)}`).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
    expect(h.violations).toEqual([]);
    expect(h.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  }, 120_000);
});

describe("commands nobody handles", () => {
  it("points unknown commands to /help in private chats and to plain text with a hint", async () => {
    const h = await createHarness();
    expect(texts(await h.send("/frobnicate"))[0]).toContain("I don't know /frobnicate");
    expect(texts(await h.send("hello there"))[0]).toContain("/help");
  });

  it("in groups answers only what is addressed to it", async () => {
    const h = await createHarness();
    const group = { chatType: "group" as const, chatId: -100500 };
    expect(await h.send("/frobnicate", group)).toEqual([]);
    expect(await h.send("just chatting", group)).toEqual([]);
    expect(await h.send("/latest@some_other_bot", group)).toEqual([]);
    expect(texts(await h.send("/frobnicate@digest_test_bot", group))[0]).toContain("I don't know");
    const latest = texts(await h.send("/latest@digest_test_bot 2", group));
    expect(latest[0]).toContain("1. ");
    const [newest] = await h.deps.articles.latest({ limit: 1 });
    expect(texts(await h.send(`/full_${newest!.article.id}@digest_test_bot`, group)).join("")).toContain(newest!.article.title);
    expect(h.violations).toEqual([]);
  });

  it("ignores edited messages", async () => {
    const h = await createHarness();
    const calls = await h.update({
      edited_message: {
        message_id: 5,
        date: 1_700_000_000,
        edit_date: 1_700_000_010,
        chat: { id: 7001, type: "private", first_name: "Ada" },
        from: { id: 7001, is_bot: false, first_name: "Ada" },
        text: "/latest",
        entities: [{ type: "bot_command", offset: 0, length: 7 }],
      },
    } as never);
    expect(calls).toEqual([]);
  });
});

describe("stale buttons", () => {
  it.each([
    ["f:zzzzzzzz", "an article that is gone"],
    ["op:zzzzzzzz:0", "a person that is gone"],
    ["qa:zzzzzzzz:5", "an article page that is gone"],
    ["qs:abc123:5", "a query forgotten since a restart"],
    ["v1:something-old", "data of an older bot version"],
  ])("answers %s (%s) with 'out of date' and nothing else", async (data) => {
    const h = await createHarness();
    const calls = await h.press(data);
    expect(calls.map((c) => c.method)).toEqual(["answerCallbackQuery"]);
    expect(String(calls[0]!.payload.text)).toContain("out of date");
  });

  it("ignores a double press whose edit Telegram calls 'not modified'", async () => {
    const h = await createHarness();
    h.failWhen((method) =>
      method === "editMessageText"
        ? { error_code: 400, description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same" }
        : undefined,
    );
    const person = h.deps.quotes.search("曹良铉", { limit: 1 }).hits[0]!.person;
    const calls = await h.press(`qp:${person.id}:5`);
    expect(calls.map((c) => c.method)).toEqual(["answerCallbackQuery", "editMessageText"]);
    expect(h.logs.join("")).not.toContain("update failed");
  });
});

describe("floods, failures and blocked users", () => {
  it("limits a user sending 50 commands in a second to a few answers and one 'slow down'", async () => {
    const h = await createHarness({ rateLimit: { limit: 5, timeFrameMs: 2000 } });
    await Promise.all(Array.from({ length: 50 }, () => h.send("/help", { userId: 8100 })));
    // The slow-down reply is sent without awaiting; give it a tick.
    await new Promise((r) => setTimeout(r, 50));
    const all = h.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === 8100).map((c) => String(c.payload.text));
    expect(all).toHaveLength(6);
    expect(all.filter((t) => t.includes("What I can do"))).toHaveLength(5);
    expect(all.filter((t) => t.includes("a lot of messages"))).toHaveLength(1);
    // Another user is not affected.
    expect(texts(await h.send("/help", { userId: 8101 }))[0]).toContain("What I can do");
  });

  it("waits out a 429 and resends (auto-retry sits above the transport)", async () => {
    const h = await createHarness();
    let refused = 0;
    h.failWhen((method) =>
      method === "sendMessage" && refused++ === 0
        ? { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }
        : undefined,
    );
    const started = Date.now();
    const calls = await h.send("/help");
    expect(calls.map((c) => [c.method, c.error?.error_code ?? 200])).toEqual([
      ["sendMessage", 429],
      ["sendMessage", 200],
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(calls[1]!.payload.text).toBe(calls[0]!.payload.text);
  });

  it("logs a failing feature with the update id, never the token, and apologises", async () => {
    const h = await createHarness();
    h.deps.articles.latest = async () => {
      throw new Error(`database exploded near ${TOKEN}`);
    };
    const calls = await h.send("/latest");
    expect(texts(calls)[0]).toContain("Something went wrong");
    const line = h.logs.find((l) => l.includes("update failed"))!;
    expect(JSON.parse(line).update_id).toBeTypeOf("number");
    expect(h.logs.join("\n")).not.toContain(TOKEN.split(":")[1]);
  });

  it("pauses the subscription of a user who blocked the bot, and resumes it when they return", async () => {
    const h = await createHarness();
    const chatId = 9300;
    await h.send("/subscribe", { userId: chatId });
    h.failWhen((_method, payload) =>
      payload.chat_id === chatId ? { error_code: 403, description: "Forbidden: bot was blocked by the user" } : undefined,
    );
    const calls = await h.send("/latest", { userId: chatId });
    expect(calls.every((c) => c.error?.error_code === 403)).toBe(true);
    expect(await h.deps.subscribers.get(chatId)).toMatchObject({ status: "paused", pausedReason: "bot was blocked by the user" });
    expect(h.logs.join("")).not.toContain('"update failed"');

    h.failWhen(() => undefined);
    const member = (status: string) => ({
      my_chat_member: {
        chat: { id: chatId, type: "private", first_name: "Ada" },
        from: { id: chatId, is_bot: false, first_name: "Ada" },
        date: 1_700_000_000,
        old_chat_member: { status: status === "member" ? "kicked" : "member", user: { id: 4242, is_bot: true, first_name: "Digest" }, until_date: 0 },
        new_chat_member: { status, user: { id: 4242, is_bot: true, first_name: "Digest" }, until_date: 0 },
      },
    });
    await h.update(member("member") as never);
    expect((await h.deps.subscribers.get(chatId))?.status).toBe("active");
    await h.update(member("kicked") as never);
    expect((await h.deps.subscribers.get(chatId))?.status).toBe("paused");
  });
});
