import { Api, GrammyError, InputFile } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";

const TOKEN = "123456:emulator-test-token";
const CHAT = 1001;
let emulator: BotApiEmulator;
let api: Api;

beforeEach(async () => {
  // Rates high enough that these tests never meet flood control.
  emulator = await startBotApiEmulator({ globalRate: 10_000, perChatRate: 10_000, perChatBurst: 10_000 });
  api = new Api(TOKEN, { apiRoot: emulator.apiRoot });
  emulator.userSends("/start", { chatId: CHAT });
});

afterEach(async () => {
  await emulator.close();
});

/** The Telegram error a call fails with: [error_code, description]. */
async function failure(call: Promise<unknown>): Promise<[number, string]> {
  const error = await call.then(() => null, (e: unknown) => e);
  if (!(error instanceof GrammyError)) throw new Error(`expected a Bot API error, got ${String(error)}`);
  return [error.error_code, error.description];
}

function lastViolation(): string | undefined {
  return emulator.violations.at(-1)?.description;
}

describe("message text", () => {
  it("accepts exactly 4096 UTF-16 units and rejects 4097", async () => {
    await api.sendMessage(CHAT, "x".repeat(4096));
    expect(await failure(api.sendMessage(CHAT, "x".repeat(4097)))).toEqual([400, "Bad Request: message is too long"]);
    expect(lastViolation()).toBe("Bad Request: message is too long");
  });

  it("counts an astral emoji as 2 units", async () => {
    await api.sendMessage(CHAT, "😀".repeat(2048));
    expect(await failure(api.sendMessage(CHAT, `${"😀".repeat(2048)}x`))).toEqual([400, "Bad Request: message is too long"]);
  });

  it("measures length after HTML parsing and trimming", async () => {
    const sent = await api.sendMessage(CHAT, `  <b>${"y".repeat(4096)}</b>\n\n`, { parse_mode: "HTML" });
    expect(sent.text).toHaveLength(4096);
    expect(sent.entities).toEqual([{ type: "bold", offset: 0, length: 4096 }]);
    expect(await failure(api.sendMessage(CHAT, "   \n "))).toEqual([400, "Bad Request: message text is empty"]);
    expect(await failure(api.sendMessage(CHAT, "<b></b>", { parse_mode: "HTML" }))).toEqual([400, "Bad Request: message text is empty"]);
  });

  it("rejects text with half an emoji, as Telegram rejects invalid UTF-8", async () => {
    const half = "news 😀".slice(0, 6);
    expect(await failure(api.sendMessage(CHAT, half))).toEqual([400, "Bad Request: strings must be encoded in UTF-8"]);
  });

  it("rejects a caption over 1024 units", async () => {
    const photo = "https://example.com/photo.jpg";
    await api.sendPhoto(CHAT, photo, { caption: "c".repeat(1024) });
    expect(await failure(api.sendPhoto(CHAT, photo, { caption: "c".repeat(1025) }))).toEqual([400, "Bad Request: message caption is too long"]);
  });
});

describe("HTML parse mode", () => {
  it("stores parsed text and nested entities", async () => {
    const sent = await api.sendMessage(CHAT, "<b>Title</b>\n<i>by <a href=\"https://example.com\">Example</a></i> &amp; co", { parse_mode: "HTML" });
    expect(sent.text).toBe("Title\nby Example & co");
    expect(emulator.chat(CHAT).messages.at(-1)?.entities).toEqual([
      { type: "bold", offset: 0, length: 5 },
      { type: "italic", offset: 6, length: 10 },
      { type: "text_link", offset: 9, length: 7, url: "https://example.com" },
    ]);
  });

  it.each([
    ["<p>para</p>", "Unsupported start tag \"p\" at byte offset 0"],
    ["<b>open", "Can't find end tag corresponding to start tag \"b\""],
    ["<i><b>x</i></b>", "Unmatched end tag at byte offset 7, expected \"</b>\", found \"</i>\""],
    ["a < b", "Unsupported start tag \"\" at byte offset 2"],
  ])("rejects %j", async (html, reason) => {
    expect(await failure(api.sendMessage(CHAT, html, { parse_mode: "HTML" }))).toEqual([400, `Bad Request: can't parse entities: ${reason}`]);
    expect(lastViolation()).toBe(`Bad Request: can't parse entities: ${reason}`);
  });

  it("refuses parse_mode together with entities (Telegram would silently drop the entities)", async () => {
    const [code, description] = await failure(api.sendMessage(CHAT, "<b>x</b>", { parse_mode: "HTML", entities: [{ type: "italic", offset: 0, length: 1 }] }));
    expect(code).toBe(400);
    expect(description).toMatch(/both parse_mode "HTML" and entities given/);
    // parse_mode is case-insensitive on the Bot API
    expect((await api.sendMessage(CHAT, "<b>x</b>", { parse_mode: "html" as never })).entities).toEqual([{ type: "bold", offset: 0, length: 1 }]);
  });

  it("treats Markdown modes as violations", async () => {
    const [code, description] = await failure(api.sendMessage(CHAT, "*bold*", { parse_mode: "MarkdownV2" }));
    expect(code).toBe(400);
    expect(description).toMatch(/^Bad Request: can't parse entities: parse_mode "MarkdownV2" is not supported/);
  });
});

describe("entities arrays", () => {
  it("accepts valid entities and echoes them", async () => {
    const sent = await api.sendMessage(CHAT, "bold and code", {
      entities: [{ type: "bold", offset: 0, length: 13 }, { type: "code", offset: 9, length: 4 }],
    });
    expect(sent.entities).toEqual([{ type: "bold", offset: 0, length: 13 }, { type: "code", offset: 9, length: 4 }]);
  });

  it("rejects overlap, surrogate splits, bad links and entities in code", async () => {
    const cases: Array<[string, object[], RegExp]> = [
      ["abcdef", [{ type: "bold", offset: 0, length: 4 }, { type: "italic", offset: 2, length: 4 }], /partially overlaps/],
      ["😀 hi", [{ type: "bold", offset: 1, length: 3 }], /splits a surrogate pair/],
      ["link", [{ type: "text_link", offset: 0, length: 4, url: "javascript:void(0)" }], /invalid URL/],
      ["code", [{ type: "code", offset: 0, length: 4 }, { type: "italic", offset: 1, length: 2 }], /can't be inside "code"/],
      ["short", [{ type: "bold", offset: 3, length: 5 }], /ends after the text end/],
    ];
    for (const [text, entities, reason] of cases) {
      const [code, description] = await failure(api.sendMessage(CHAT, text, { entities: entities as never }));
      expect(code).toBe(400);
      expect(description).toMatch(/^Bad Request: can't parse entities: /);
      expect(description).toMatch(reason);
    }
    expect(emulator.violations).toHaveLength(cases.length);
    expect(emulator.chat(CHAT).messages).toEqual([]);
  });
});

describe("reply markup", () => {
  it("accepts 64-byte callback_data and rejects 65 bytes", async () => {
    const data64 = "é".repeat(32); // 2 bytes each in UTF-8
    await api.sendMessage(CHAT, "ok", { reply_markup: { inline_keyboard: [[{ text: "go", callback_data: data64 }]] } });
    expect(await failure(api.sendMessage(CHAT, "no", {
      reply_markup: { inline_keyboard: [[{ text: "go", callback_data: `${data64}x` }]] },
    }))).toEqual([400, "Bad Request: BUTTON_DATA_INVALID"]);
  });

  it("rejects buttons without an action, bad url buttons and more than 100 buttons", async () => {
    const send = (markup: object) => failure(api.sendMessage(CHAT, "x", { reply_markup: markup as never }));
    expect((await send({ inline_keyboard: [[{ text: "plain" }]] }))[1]).toMatch(/Text buttons are unallowed/);
    expect(await send({ inline_keyboard: [[{ text: "u", url: "file:///etc/passwd" }]] })).toEqual([400, "Bad Request: BUTTON_URL_INVALID"]);
    const row = Array.from({ length: 101 }, (_, i) => ({ text: `${i}`, callback_data: `${i}` }));
    expect(await send({ inline_keyboard: [row] })).toEqual([400, "Bad Request: reply markup is too long"]);
  });
});

describe("edits, deletes and callback queries", () => {
  it("edits a message, refuses an identical edit and unknown messages", async () => {
    const markup = { inline_keyboard: [[{ text: "More", callback_data: "more:1" }]] };
    const sent = await api.sendMessage(CHAT, "page 1", { reply_markup: markup });
    await api.editMessageText(CHAT, sent.message_id, "page 2", { reply_markup: markup });
    expect(emulator.chat(CHAT).messages.map((m) => [m.text, m.reply_markup])).toEqual([["page 2", markup]]);
    const [code, description] = await failure(api.editMessageText(CHAT, sent.message_id, "page 2", { reply_markup: markup }));
    expect([code, description]).toEqual([400, expect.stringMatching(/^Bad Request: message is not modified/)]);
    expect(await failure(api.editMessageText(CHAT, 999, "x"))).toEqual([400, "Bad Request: message to edit not found"]);
    // An edit without reply_markup removes the keyboard, as on Telegram.
    await api.editMessageText(CHAT, sent.message_id, "page 2");
    expect(emulator.chat(CHAT).messages[0]!.reply_markup).toBeUndefined();
  });

  it("deletes a message once", async () => {
    const sent = await api.sendMessage(CHAT, "bye");
    await api.deleteMessage(CHAT, sent.message_id);
    expect(emulator.chat(CHAT).messages).toEqual([]);
    expect(await failure(api.deleteMessage(CHAT, sent.message_id))).toEqual([400, "Bad Request: message to delete not found"]);
  });

  it("answers a callback query once; a second answer or an unknown id is too old", async () => {
    const sent = await api.sendMessage(CHAT, "menu", { reply_markup: { inline_keyboard: [[{ text: "A", callback_data: "a" }]] } });
    const update = emulator.pressButton({ chatId: CHAT, messageId: sent.message_id, data: "a" });
    const id = update.callback_query!.id;
    await api.answerCallbackQuery(id, { text: "done" });
    expect(emulator.callbackQuery(id)?.answer).toEqual({ text: "done" });
    const tooOld = [400, "Bad Request: query is too old and response timeout expired or query ID is invalid"];
    expect(await failure(api.answerCallbackQuery(id))).toEqual(tooOld);
    expect(await failure(api.answerCallbackQuery("12345"))).toEqual(tooOld);
    expect(() => emulator.pressButton({ chatId: CHAT, messageId: sent.message_id, data: "b" })).toThrow(/no button with callback_data "b"/);
  });

  it("expires callback queries after 15 minutes of emulator time", async () => {
    let now = Date.now();
    const timed = await startBotApiEmulator({ clock: () => now });
    try {
      const timedApi = new Api(TOKEN, { apiRoot: timed.apiRoot });
      timed.userSends("hi", { chatId: 5 });
      const sent = await timedApi.sendMessage(5, "menu", { reply_markup: { inline_keyboard: [[{ text: "A", callback_data: "a" }]] } });
      const id = timed.pressButton({ chatId: 5, messageId: sent.message_id, data: "a" }).callback_query!.id;
      now += 15 * 60 * 1000 + 1;
      expect((await failure(timedApi.answerCallbackQuery(id)))[1]).toMatch(/query is too old/);
    } finally {
      await timed.close();
    }
  });
});

describe("chats", () => {
  it("answers chat not found for a chat that never wrote, without calling it a violation", async () => {
    expect(await failure(api.sendMessage(424242, "hello?"))).toEqual([400, "Bad Request: chat not found"]);
    expect(emulator.violations).toEqual([]);
    expect(emulator.stats().chatNotFound).toBe(1);
  });

  it("answers 403 for a blocked chat and emits my_chat_member updates", async () => {
    const blocked = emulator.block(CHAT);
    expect(blocked.my_chat_member?.new_chat_member.status).toBe("kicked");
    expect(await failure(api.sendMessage(CHAT, "digest"))).toEqual([403, "Forbidden: bot was blocked by the user"]);
    const unblocked = emulator.unblock(CHAT);
    expect(unblocked.my_chat_member?.new_chat_member.status).toBe("member");
    await api.sendMessage(CHAT, "digest");
    expect(emulator.stats()).toMatchObject({ forbidden: 1, sent: 1 });
    expect(emulator.violations).toEqual([]);
  });

  it("answers 403 for a deleted account and 400 with migrate_to_chat_id for an upgraded group", async () => {
    emulator.addChat(55);
    emulator.deactivate(55);
    expect(await failure(api.sendMessage(55, "digest"))).toEqual([403, "Forbidden: user is deactivated"]);

    emulator.userSends("/subscribe", { chatId: -300 });
    const notice = emulator.migrateGroup(-300, -1000000000300);
    expect(notice.message?.migrate_to_chat_id).toBe(-1000000000300);
    const error = (await api.sendMessage(-300, "digest").catch((e: unknown) => e)) as GrammyError;
    expect([error.error_code, error.description, error.parameters.migrate_to_chat_id]).toEqual([
      400, "Bad Request: group chat was upgraded to a supergroup chat", -1000000000300,
    ]);
    await api.sendMessage(-1000000000300, "digest");
    expect(emulator.chat(-1000000000300).messages.map((m) => m.text)).toEqual(["digest"]);
    expect(emulator.violations).toEqual([]);
  });

  it("registers chats in bulk for benchmarks with addChat", async () => {
    for (let id = 1; id <= 1000; id++) emulator.addChat(id);
    await api.sendMessage(1000, "hi");
    expect(emulator.stats().sentPerChat.get(1000)).toBe(1);
  });
});

describe("photos", () => {
  it("sends a photo by URL with a parsed caption and reuses its file_id", async () => {
    const sent = await api.sendPhoto(CHAT, "https://example.com/a.jpg", { caption: "<i>cap</i>", parse_mode: "HTML" });
    expect(sent.photo?.length).toBe(3);
    expect(sent.caption).toBe("cap");
    expect(sent.caption_entities).toEqual([{ type: "italic", offset: 0, length: 3 }]);
    const again = await api.sendPhoto(CHAT, sent.photo![2]!.file_id);
    expect(again.photo?.map((size) => size.file_unique_id)).toEqual(sent.photo?.map((size) => size.file_unique_id));
    expect(await failure(api.sendPhoto(CHAT, "AgACAgIAAxkBAAmadeUpFileId000"))).toEqual([400, "Bad Request: wrong file identifier/HTTP URL specified"]);
  });

  it("accepts an uploaded file through multipart/form-data", async () => {
    const sent = await api.sendPhoto(CHAT, new InputFile(Buffer.from("fake jpeg bytes"), "pic.jpg"), {
      caption: "uploaded",
      reply_markup: { inline_keyboard: [[{ text: "Open", url: "https://example.com" }]] },
    });
    expect(sent.caption).toBe("uploaded");
    expect(sent.reply_markup?.inline_keyboard[0]![0]).toEqual({ text: "Open", url: "https://example.com" });
  });
});

describe("commands", () => {
  it("stores commands per scope and language and validates them", async () => {
    await api.setMyCommands([{ command: "latest", description: "Latest digest" }]);
    await api.setMyCommands([{ command: "latest", description: "最新摘要" }], { language_code: "zh" });
    expect(await api.getMyCommands({ language_code: "zh" })).toEqual([{ command: "latest", description: "最新摘要" }]);
    expect(emulator.commands).toHaveLength(2);
    expect(await failure(api.setMyCommands([{ command: "Latest", description: "x" }]))).toEqual([400, "Bad Request: BOT_COMMAND_INVALID"]);
    const many = Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: "d" }));
    expect(await failure(api.setMyCommands(many))).toEqual([400, "Bad Request: BOT_COMMANDS_TOO_MUCH"]);
    await api.deleteMyCommands({ language_code: "zh" });
    expect(await api.getMyCommands({ language_code: "zh" })).toEqual([]);
  });
});

describe("other methods", () => {
  it("edits reply markup and captions, refusing identical markup", async () => {
    const keyboard = { inline_keyboard: [[{ text: "1", callback_data: "p:1" }]] };
    const text = await api.sendMessage(CHAT, "list", { reply_markup: keyboard });
    expect(await failure(api.editMessageReplyMarkup(CHAT, text.message_id, { reply_markup: keyboard }))).toEqual([
      400, expect.stringMatching(/^Bad Request: message is not modified/),
    ]);
    await api.editMessageReplyMarkup(CHAT, text.message_id); // no markup: the keyboard goes
    expect(emulator.chat(CHAT).messages[0]!.reply_markup).toBeUndefined();

    const photo = await api.sendPhoto(CHAT, "https://example.com/p.png", { caption: "old" });
    await api.editMessageCaption(CHAT, photo.message_id, { caption: "<b>new</b>", parse_mode: "HTML" });
    expect(emulator.chat(CHAT).messages[1]).toMatchObject({ caption: "new", caption_entities: [{ type: "bold", offset: 0, length: 3 }] });
    expect(await failure(api.editMessageText(CHAT, photo.message_id, "text"))).toEqual([400, "Bad Request: there is no text in the message to edit"]);
  });

  it("records chat actions, menu buttons and chat info", async () => {
    await api.sendChatAction(CHAT, "typing");
    expect(emulator.chat(CHAT).actions.map((a) => a.action)).toEqual(["typing"]);
    expect(await failure(api.sendChatAction(CHAT, "dancing" as never))).toEqual([400, "Bad Request: wrong parameter action in request"]);
    await api.setChatMenuButton({ menu_button: { type: "commands" } });
    expect(await api.getChatMenuButton()).toEqual({ type: "commands" });
    expect(await api.getChat(CHAT)).toMatchObject({ id: CHAT, type: "private", first_name: `User${CHAT}` });
    expect(await failure(api.getChat(31337))).toEqual([400, "Bad Request: chat not found"]);
  });

  it("forgets messages beyond historyLimit, so editing them fails like a deleted message", async () => {
    const small = await startBotApiEmulator({ historyLimit: 2, perChatRate: 100, perChatBurst: 100 });
    try {
      const smallApi = new Api(TOKEN, { apiRoot: small.apiRoot });
      small.addChat(1);
      const first = await smallApi.sendMessage(1, "1");
      await smallApi.sendMessage(1, "2");
      await smallApi.sendMessage(1, "3");
      expect(small.chat(1).messages.map((m) => m.text)).toEqual(["2", "3"]);
      expect((await failure(smallApi.editMessageText(1, first.message_id, "x")))[1]).toBe("Bad Request: message to edit not found");
    } finally {
      await small.close();
    }
  });

  it("sends documents and keeps bot descriptions per language", async () => {
    const sent = await api.sendDocument(CHAT, new InputFile(Buffer.from("full article text"), "article.txt"), { caption: "Full text" });
    expect(sent.document?.file_name).toBe("article.txt");
    await api.setMyDescription("Daily news digest", { language_code: "en" });
    expect(await api.getMyDescription({ language_code: "en" })).toEqual({ description: "Daily news digest" });
    expect(await failure(api.setMyShortDescription("s".repeat(121)))).toEqual([400, "Bad Request: SHORT_DESCRIPTION_INVALID"]);
  });

  it("serves GET requests with a query string, like the real Bot API", async () => {
    const response = await fetch(`${emulator.apiRoot}/bot${TOKEN}/sendMessage?chat_id=${CHAT}&text=${encodeURIComponent("via GET")}`);
    expect(((await response.json()) as { result: { text: string } }).result.text).toBe("via GET");
  });
});
