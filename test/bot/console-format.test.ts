/** Terminal rendering of the bot's messages: entities as markup, links shown, buttons numbered. */
import type { Message } from "grammy/types";
import { describe, expect, it } from "vitest";
import { formatEntities, formatMessage, type NumberedButton } from "../../bot/console-format.js";

describe("formatEntities", () => {
  it("shows bold, nested links and italics in plain markers", () => {
    const text = "Title here and more";
    const out = formatEntities(
      text,
      [
        { type: "bold", offset: 0, length: 10 },
        { type: "text_link", offset: 0, length: 10, url: "https://example.com/a" },
        { type: "italic", offset: 15, length: 4 },
      ],
      { ansi: false },
    );
    expect(out).toBe("**Title here <https://example.com/a>** and _more_");
  });

  it("uses ANSI bold on a terminal and never cuts surrogate pairs", () => {
    const text = "😀 bold 😀";
    const out = formatEntities(text, [{ type: "bold", offset: 3, length: 4 }], { ansi: true });
    expect(out).toBe("😀 \x1b[1mbold\x1b[22m 😀");
  });
});

describe("formatMessage", () => {
  it("numbers callback buttons across messages and records what they press", () => {
    const buttons: NumberedButton[] = [];
    const message = (id: number, data: string[]): Message =>
      ({
        message_id: id,
        date: 0,
        chat: { id: 1, type: "private", first_name: "A" },
        text: `message ${id}`,
        reply_markup: { inline_keyboard: [data.map((d) => ({ text: `go ${d}`, callback_data: d }))] },
      }) as Message;
    const first = formatMessage(message(10, ["f:aaaaaaaa", "oa:aaaaaaaa:0"]), buttons, { ansi: false });
    const second = formatMessage(message(11, ["f:bbbbbbbb"]), buttons, { ansi: false });
    expect(first).toBe("message 10\n[1] go f:aaaaaaaa   [2] go oa:aaaaaaaa:0");
    expect(second).toBe("message 11\n[3] go f:bbbbbbbb");
    expect(buttons[2]).toEqual({ number: 3, messageId: 11, data: "f:bbbbbbbb" });
  });
});
