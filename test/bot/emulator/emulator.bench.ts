/**
 * What the emulator costs a delivery benchmark: parsing a digest-sized HTML message built from the
 * real corpus titles and links, and a fan-out of sendMessage over HTTP through grammY's Api to
 * 1,000 registered chats (flood limits lifted; client and server share this process).
 */
import { readdirSync, readFileSync } from "node:fs";
import { Api } from "grammy";
import { afterAll, bench, describe } from "vitest";
import { parseTelegramHtml, startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";

const corpus = new URL("../../../../shared/corpus/", import.meta.url);
const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** One digest message: bold titles with links, as much as fits in about 3,500 characters. */
const digestHtml = (() => {
  const lines: string[] = [];
  for (const file of readdirSync(corpus).filter((name) => name.endsWith(".txt")).sort()) {
    const header = readFileSync(new URL(file, corpus), "utf8").split("\n").find((line) => line.startsWith("["))!;
    const split = header.lastIndexOf("](");
    const title = header.slice(1, split);
    const url = header.slice(split + 2, -1);
    lines.push(`<b>${escape(title)}</b>\n<a href="${escape(url)}">Read</a> · <i>${escape(file)}</i>`);
  }
  let html = "";
  for (const line of lines) if (html.length + line.length < 3500) html += `${line}\n\n`;
  return html;
})();

const CHATS = 1000;
const CONCURRENCY = 16;
let emulator: BotApiEmulator | undefined;
let api: Api | undefined;

async function ready(): Promise<Api> {
  if (!api) {
    emulator = await startBotApiEmulator({
      globalRate: 1e9, perChatRate: 1e9, perChatBurst: 1e9, historyLimit: 3, callLogLimit: 1000,
    });
    for (let chat = 1; chat <= CHATS; chat++) emulator.addChat(chat);
    api = new Api("1:bench", { apiRoot: emulator.apiRoot });
  }
  return api;
}

describe("Bot API emulator", () => {
  bench(`parseTelegramHtml, one ${digestHtml.length}-char digest`, () => {
    const result = parseTelegramHtml(digestHtml);
    if ("error" in result) throw new Error(result.error);
  });

  bench(`sendMessage (HTML) to ${CHATS} chats over HTTP, ${CONCURRENCY} in flight`, async () => {
    const client = await ready();
    let next = 1;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next <= CHATS) await client.sendMessage(next++, digestHtml, { parse_mode: "HTML" });
    }));
  }, { iterations: 3, warmupIterations: 1 });
});

afterAll(async () => {
  await emulator?.close();
});
