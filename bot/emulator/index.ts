/**
 * The local Bot API emulator: strict like Telegram, for tests, console mode and benchmarks.
 *
 *   const emulator = await startBotApiEmulator();            // http://127.0.0.1:<free port>
 *   const bot = new Bot("123:any", { client: { apiRoot: emulator.apiRoot } });
 *   void bot.start();
 *   emulator.userSends("/latest", { chatId: 42 });
 *   const reply = await emulator.waitFor(() => emulator.chat(42).messages[0]);
 *   expect(emulator.violations).toEqual([]);                 // every broken Telegram rule lands here
 *   await bot.stop(); await emulator.close();
 *
 * Strict where Telegram is silent: HTML with a bare `&`, a link Telegram would drop, formatting
 * inside code, and any parse_mode "Markdown"/"MarkdownV2" are refused (400 + violation).
 * 429, 403 and "chat not found" are traffic, not violations: see `stats()`.
 */
export { startBotApiEmulator, BotApiEmulator } from "./server.js";
export type { BotApiEmulatorOptions, ChatView, EmulatorStats, SendOptions } from "./server.js";
export type { ApiCallRecord, EmulatorEvent, ViolationRecord } from "./core.js";
export type { ChatKind, RateSettings, RetryAfterOverride } from "./limits.js";
export type { CallbackQueryRecord, CommandList } from "./state.js";
export { EmulatorTimeoutError, EmulatorUsageError } from "./errors.js";
export { parseTelegramHtml } from "./html.js";
export type { HtmlParseOptions, HtmlParseResult } from "./html.js";
export { checkEntities, trimFormattedText, isAllowedLink, findLoneSurrogate, ENTITY_TYPES } from "./entities.js";
export { checkReplyMarkup, MAX_CALLBACK_DATA_BYTES, MAX_INLINE_BUTTONS } from "./markup.js";
export { formatText, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH } from "./text.js";
