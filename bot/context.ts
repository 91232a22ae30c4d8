/**
 * What every feature sees: the grammY context type (with i18n) and the dependencies the bot runs
 * on. Features receive `BotDeps` when they are built, so a test can hand them memory stores and a
 * fixed clock, and nothing reaches for globals.
 */
import type { Context } from "grammy";
import type { I18nFlavor } from "@grammyjs/i18n";
import type { ArticleStore, QuoteIndex, SubscriberStore } from "../digest/index.js";
import type { ArticleSearch } from "./article-search.js";
import type { Logger } from "./logger.js";

export type BotContext = Context & I18nFlavor;

/** Interface languages the bot speaks. */
export type UiLang = "en" | "zh";
export const UI_LANGS: readonly UiLang[] = ["en", "zh"];

/** A user's own choices (today: the interface language chosen with /lang). */
export interface UserPrefs {
  getLang(userId: number): Promise<UiLang | null>;
  setLang(userId: number, lang: UiLang): Promise<void>;
}

/** What the last ingest did, for /stats. */
export interface IngestStatus {
  at: number;
  files: number;
  added: number;
  updated: number;
  failed: number;
}

export interface BotDeps {
  articles: ArticleStore;
  subscribers: SubscriberStore;
  prefs: UserPrefs;
  quotes: QuoteIndex;
  search: ArticleSearch;
  config: {
    adminIds: readonly number[];
    digest: { cron: string; tz: string };
  };
  logger: Logger;
  now: () => number;
  lastIngest: () => IngestStatus | null;
  /**
   * The digest lines of /stats (outbox, paused, last and next run) in the admin's language;
   * absent when no schedule runs (tests of single features).
   */
  digestStatus?: (t: (key: string, args?: Record<string, string | number>) => string) => Promise<string[]>;
}
