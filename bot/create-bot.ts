/**
 * The bot, wired in one place: API transformers (auto-retry), the error boundary, i18n, the
 * per-user rate limit, per-chat ordering, then the features, each its own Composer.
 */
import { autoRetry, type AutoRetryOptions } from "@grammyjs/auto-retry";
import type { I18n } from "@grammyjs/i18n";
import { limit } from "@grammyjs/ratelimiter";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type Composer, type Transformer } from "grammy";
import type { BotCommand, UserFromGetMe } from "grammy/types";
import type { BotContext, BotDeps, UiLang } from "./context.js";
import { UI_LANGS } from "./context.js";
import { chatMemberFeature } from "./features/chat-member.js";
import { errorsFeature, handleBotError } from "./features/errors.js";
import { expertsFeature } from "./features/experts.js";
import { fullFeature } from "./features/full.js";
import { helpFeature } from "./features/help.js";
import { langFeature } from "./features/lang.js";
import { latestFeature } from "./features/latest.js";
import { quotesFeature } from "./features/quotes.js";
import { searchFeature } from "./features/search.js";
import { startFeature } from "./features/start.js";
import { statsFeature } from "./features/stats.js";
import { subscribeFeature } from "./features/subscribe.js";
import { unknownFeature } from "./features/unknown.js";
import { createI18n } from "./i18n.js";

export interface CreateBotOptions {
  token: string;
  deps: BotDeps;
  /** Bot API server root (TELEGRAM_API_ROOT); default grammY's, the public Bot API. */
  apiRoot?: string;
  /** Known bot identity: skips getMe (tests; `handleUpdate` needs it). */
  botInfo?: UserFromGetMe;
  /**
   * Transformers installed before auto-retry, so they run after it (grammY runs the transformer
   * installed last first): a test's recording transport sees every retry.
   */
  transformers?: Transformer[];
  autoRetry?: Partial<AutoRetryOptions>;
  /** Called when the bot has finished with an update, whatever the outcome (console mode waits on it). */
  onUpdateHandled?: (updateId: number) => void;
  /** Features wired by the app beyond the built-in ones (e.g. the admin's /digest); before the unknown-command answer. */
  extraFeatures?: Composer<BotContext>[];
  /** Commands per user per second window before the bot stops answering for a moment. */
  rateLimit?: { limit: number; timeFrameMs: number };
}

/** The commands advertised in the client's menu (/stats stays unlisted: admins know it). */
const MENU: ReadonlyArray<{ command: string; key: string }> = [
  { command: "latest", key: "cmd-latest" },
  { command: "full", key: "cmd-full" },
  { command: "quotes", key: "cmd-quotes" },
  { command: "experts", key: "cmd-experts" },
  { command: "search", key: "cmd-search" },
  { command: "subscribe", key: "cmd-subscribe" },
  { command: "unsubscribe", key: "cmd-unsubscribe" },
  { command: "lang", key: "cmd-lang" },
  { command: "help", key: "cmd-help" },
];

export function menuCommands(i18n: I18n<BotContext>, lang: UiLang): BotCommand[] {
  return MENU.map(({ command, key }) => ({ command, description: i18n.t(lang, key) }));
}

export function createBot(options: CreateBotOptions): { bot: Bot<BotContext>; i18n: I18n<BotContext> } {
  const { deps } = options;
  const bot = new Bot<BotContext>(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    ...(options.apiRoot ? { client: { apiRoot: options.apiRoot } } : {}),
  });
  for (const transformer of options.transformers ?? []) bot.api.config.use(transformer);
  // A reply delayed by minutes is useless and holds up the chat's queue: give up after 2 minutes.
  bot.api.config.use(autoRetry({ maxDelaySeconds: 120, maxRetryAttempts: 10, ...options.autoRetry }));

  const i18n = createI18n(deps.prefs);
  const rate = options.rateLimit ?? { limit: 5, timeFrameMs: 2000 };

  const onHandled = options.onUpdateHandled;
  if (onHandled) {
    bot.use(async (ctx, next) => {
      try {
        await next();
      } finally {
        onHandled(ctx.update.update_id);
      }
    });
  }
  bot.use(
    errorsFeature(
      deps,
      i18n.middleware(),
      // The limiter sees updates as they arrive, before they queue behind their chat's earlier
      // ones: counted later, a flood would trickle through one window at a time.
      limit<BotContext, never>({
        timeFrame: rate.timeFrameMs,
        limit: rate.limit,
        keyGenerator: (ctx) => ctx.from?.id.toString(),
        // Called once per burst; its promise is not awaited by the limiter, so it must not reject.
        onLimitExceeded: (ctx) => {
          ctx.reply(ctx.t("slow-down")).catch((err: unknown) => deps.logger.warn({ err }, "slow-down reply failed"));
        },
      }),
      // Updates of one chat run one after another (the runner processes others concurrently).
      sequentialize((ctx) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()),
      startFeature(deps),
      helpFeature(deps),
      subscribeFeature(deps),
      chatMemberFeature(deps),
      latestFeature(deps),
      fullFeature(deps),
      quotesFeature(deps),
      expertsFeature(deps),
      searchFeature(deps),
      langFeature(deps),
      statsFeature(deps),
      ...(options.extraFeatures ?? []),
      unknownFeature(),
    ),
  );
  bot.catch(handleBotError(deps));
  return { bot, i18n };
}

/** Publishes the command menu in both languages: English by default, Chinese for zh clients. */
export async function publishCommands(bot: Bot<BotContext>, i18n: I18n<BotContext>): Promise<void> {
  for (const lang of UI_LANGS) {
    const commands = menuCommands(i18n, lang);
    if (lang === "en") await bot.api.setMyCommands(commands);
    else await bot.api.setMyCommands(commands, { language_code: lang });
  }
}
