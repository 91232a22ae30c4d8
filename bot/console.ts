/**
 * Console mode (no BOT_TOKEN): the same bot, over HTTP, against a Bot API emulator started in this
 * process, with the terminal as the user's chat. Lines typed (or piped) are the user's messages;
 * a number presses the button shown with it; /quit or end of input leaves.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Message } from "grammy/types";
import { createApp, type App } from "./app.js";
import type { Config } from "./config.js";
import { formatMessage, type NumberedButton } from "./console-format.js";
import { startBotApiEmulator, type BotApiEmulator } from "./emulator/index.js";
import type { Logger } from "./logger.js";

/** Any well-formed token works with the emulator; this one never leaves the process. */
const CONSOLE_TOKEN = "1000000001:console-mode-local-emulator-token";
const CHAT_ID = 1001;
/** How long one message may keep the bot busy (a long article paced by flood control). */
const UPDATE_TIMEOUT_MS = 180_000;

export interface ConsoleOptions {
  config: Config;
  logger: Logger;
  input: Readable;
  output: Writable;
  /** ANSI styling; default: when the output is a terminal. */
  ansi?: boolean;
  /** The user's client language (decides the interface language until /lang). */
  languageCode?: string;
}

export async function runConsole(options: ConsoleOptions): Promise<void> {
  const { output } = options;
  const ansi = options.ansi ?? Boolean((output as Writable & { isTTY?: boolean }).isTTY);
  const interactive = Boolean((options.input as Readable & { isTTY?: boolean }).isTTY);
  const write = (text: string) => output.write(`${text}\n`);

  const emulator = await startBotApiEmulator();
  const handled = new Set<number>();
  const waiters = new Map<number, () => void>();
  let app: App | undefined;
  try {
    app = createApp({
      // The person at the terminal is the operator: /digest and /stats work for them.
      config: {
        ...options.config,
        botToken: CONSOLE_TOKEN,
        apiRoot: emulator.apiRoot,
        webhook: null,
        adminIds: [...options.config.adminIds, CHAT_ID],
      },
      logger: options.logger,
      transport: "polling",
      onUpdateHandled(updateId) {
        handled.add(updateId);
        waiters.get(updateId)?.();
      },
    });
    await app.start();
    const bot = app.bot.botInfo;
    write(`Console mode: you are chatting with @${bot.username} through a local Bot API emulator (no Telegram needed).`);
    write(`Try /start, /latest, /full <id>, /quotes 曹良铉, /experts; /subscribe then /digest for a digest now. Type a button's number to press it; /quit leaves.`);

    let buttons: NumberedButton[] = [];
    const show = (message: Message, edited: boolean) => {
      write(`\n${edited ? "bot (edited) ›" : "bot ›"}\n${formatMessage(message, buttons, { ansi })}`);
    };
    const off = emulator.onEvent((event) => {
      if (event.kind === "sent" && event.chatId === CHAT_ID) show(event.message, false);
      else if (event.kind === "edited" && event.chatId === CHAT_ID) show(event.message, true);
      else if (event.kind === "callbackAnswered" && event.chatId === CHAT_ID && event.text) write(`\n(notice: ${event.text})`);
    });

    const waitHandled = (updateId: number) =>
      new Promise<void>((resolve) => {
        if (handled.has(updateId)) return resolve();
        const timer = setTimeout(() => finish(), UPDATE_TIMEOUT_MS);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(updateId);
          resolve();
        };
        waiters.set(updateId, finish);
      });

    const from = { id: CHAT_ID, first_name: "You", language_code: options.languageCode ?? "en" };
    const lines = createInterface({ input: options.input, terminal: interactive });
    // Ctrl+C in the terminal, or a signal from outside: leave like /quit.
    const leave = () => lines.close();
    lines.on("SIGINT", leave);
    process.once("SIGTERM", leave);
    const prompt = () => interactive && output.write("\nyou › ");
    prompt();
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === "/quit" || line === "/exit") break;
      if (!line) {
        prompt();
        continue;
      }
      if (!interactive) write(`\nyou › ${line}`);
      const pressed = /^\d{1,3}$/.test(line) ? buttons.find((b) => b.number === Number(line)) : undefined;
      buttons = [];
      const update = pressed
        ? emulator.pressButton({ chatId: CHAT_ID, messageId: pressed.messageId, data: pressed.data, from })
        : emulator.userSends(line, { chatId: CHAT_ID, from });
      await waitHandled(update.update_id);
      prompt();
    }
    lines.close();
    process.off("SIGTERM", leave);
    off();
    reportViolations(emulator, options.logger);
    write("\nBye.");
  } finally {
    await app?.stop();
    await emulator.close();
  }
}

/** Anything the emulator refused is a bug of the bot: say so to the operator. */
function reportViolations(emulator: BotApiEmulator, logger: Logger): void {
  for (const v of emulator.violations) logger.error({ method: v.method, description: v.description }, "Telegram would refuse this");
}
