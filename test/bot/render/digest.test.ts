/**
 * renderDigest on digests composed from every annotated corpus article (Chinese and English, with
 * real extracted quotes): every message is one Telegram would take (size, entities, keyboard), the
 * buttons carry the bot's own callback_data, and every item appears once, in order.
 */
import { describe, expect, it } from "vitest";
import { composeDigest } from "../../../digest/compose.js";
import { renderDigest } from "../../../bot/render/digest.js";
import { defaultTranslate } from "../../../bot/digest-job.js";
import { decodeAction, MAX_CALLBACK_DATA_BYTES } from "../../../bot/views/callback-data.js";
import { checkEntities, checkReplyMarkup, formatText, MAX_INLINE_BUTTONS } from "../../../bot/emulator/index.js";
import { MESSAGE_LIMIT } from "../../../bot/render.js";
import { corpusStored } from "../digest-fixtures.js";

const NOW = Date.UTC(2026, 10, 26, 8);

describe("renderDigest", () => {
  for (const lang of ["en", "zh"] as const) {
    for (const max of [3, 10, 50]) {
      it(`${lang}, up to ${max} items: valid messages holding every item once`, () => {
        const digest = composeDigest(corpusStored(), { now: NOW, tz: "Asia/Taipei", max })!;
        const { messages } = renderDigest(digest, defaultTranslate(lang));
        expect(messages.length).toBeGreaterThan(0);
        for (const message of messages) {
          expect(message.text.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
          expect(checkEntities(message.text, message.entities)).toEqual([]);
          expect(() => formatText("text", message.text, undefined, message.entities)).not.toThrow();
          if (message.reply_markup) {
            expect(checkReplyMarkup(message.reply_markup)).toBe(null);
            expect(message.reply_markup.inline_keyboard.flat().length).toBeLessThanOrEqual(MAX_INLINE_BUTTONS);
          }
        }
        const all = messages.map((m) => m.text).join("\n\n");
        expect(messages[0]!.text.startsWith(defaultTranslate(lang)("digest-header", { date: digest.header.date, count: digest.header.count }))).toBe(true);
        // Items numbered 1..n, each once, in the digest's order.
        const numbers = [...all.matchAll(/^(\d+)\. /gmu)].map((m) => Number(m[1]));
        expect(numbers).toEqual(digest.items.map((_, i) => i + 1));
        if (digest.more > 0) expect(messages.at(-1)!.text.endsWith(defaultTranslate(lang)("digest-more", { count: digest.more }))).toBe(true);
        else expect(all).not.toContain("/latest");

        // Buttons: full text for each item, quotes for each item with a quote; data the bot decodes.
        const buttons = messages.flatMap((m) => m.reply_markup?.inline_keyboard.flat() ?? []);
        const actions = buttons.map((b) => {
          const data = "callback_data" in b ? b.callback_data! : "";
          expect(Buffer.byteLength(data)).toBeLessThanOrEqual(MAX_CALLBACK_DATA_BYTES);
          return decodeAction(data);
        });
        expect(actions.filter((a) => a?.kind === "full").map((a) => (a as { articleId: string }).articleId)).toEqual(
          digest.items.map((i) => i.articleId),
        );
        expect(actions.filter((a) => a?.kind === "article-quotes").map((a) => (a as { articleId: string }).articleId)).toEqual(
          digest.items.filter((i) => i.quote).map((i) => i.articleId),
        );
        expect(actions.every((a) => a !== null)).toBe(true);
      });
    }
  }

  it("links the title, shows outlet and local time, and the quote with name and role", () => {
    const digest = composeDigest(corpusStored(), { now: NOW, tz: "Asia/Taipei", max: 50 })!;
    const { messages } = renderDigest(digest, defaultTranslate("en"));
    const item = digest.items.find((i) => i.quote && i.quote.role !== "")!;
    expect(item).toBeDefined();
    const message = messages.find((m) => m.text.includes(item.quote!.speaker) && m.text.includes(item.title.slice(0, 30)))!;
    const link = message.entities.find((e) => e.type === "text_link" && e.url === item.url);
    expect(link).toBeDefined();
    expect(message.text.slice(link!.offset, link!.offset + link!.length)).toBe(item.title);
    expect(message.text).toContain(`${item.source} · ${item.localTime}`);
    expect(message.text).toContain(`💬 ${item.quote!.speaker}, ${item.quote!.role}: `);
    const bold = message.entities.filter((e) => e.type === "bold").map((e) => message.text.slice(e.offset, e.offset + e.length));
    expect(bold).toContain(item.quote!.speaker);
  });

  it("usually fits ten items in one or two messages", () => {
    const digest = composeDigest(corpusStored().slice(0, 10), { now: NOW, tz: "UTC", max: 10 })!;
    expect(renderDigest(digest, defaultTranslate("zh")).messages.length).toBeLessThanOrEqual(2);
    const three = composeDigest(corpusStored().slice(0, 3), { now: NOW, tz: "UTC", max: 10 })!;
    expect(renderDigest(three, defaultTranslate("zh")).messages).toHaveLength(1);
  });
});
