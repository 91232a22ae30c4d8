/**
 * The bot's two interface languages through @grammyjs/i18n (Fluent). Simplified Chinese for
 * clients whose language_code starts with "zh", English otherwise; a choice made with /lang wins.
 * `useIsolating: false`, or every placeholder would be wrapped in invisible bidi marks.
 */
import { readFileSync } from "node:fs";
import { I18n } from "@grammyjs/i18n";
import type { BotContext, UiLang, UserPrefs } from "./context.js";
import { UI_LANGS } from "./context.js";

export class LocaleLoadError extends Error {
  override name = "LocaleLoadError";
  constructor(file: string, options: { cause: unknown }) {
    super(`cannot load the translation file ${file}: ${(options.cause as Error)?.message ?? options.cause}`, options);
  }
}

/** The locale for a Telegram client language code: zh, zh-hans, zh-hant, zh-TW… → zh. */
export function langFromLanguageCode(code: string | undefined): UiLang {
  return code?.toLowerCase().startsWith("zh") ? "zh" : "en";
}

/** A message for one key in a language already chosen: `(key, args) => i18n.t(lang, key, args)`. */
export type Translate = (key: string, args?: Record<string, string | number>) => string;

/** The translate function of one language, for text made outside any update (digests, /stats lines). */
export function translatorFor(i18n: I18n<BotContext>, lang: UiLang): Translate {
  return (key, args) => i18n.t(lang, key, args);
}

const NO_PREFS: UserPrefs = { getLang: async () => null, setLang: async () => {} };

/** The locale files without a bot (the digest job run by a CLI or a test): nobody's choice to read. */
export function createTranslations(): I18n<BotContext> {
  return createI18n(NO_PREFS);
}

export function localeFile(lang: UiLang): URL {
  return new URL(`./locales/${lang}.ftl`, import.meta.url);
}

export function createI18n(prefs: UserPrefs): I18n<BotContext> {
  const i18n = new I18n<BotContext>({
    defaultLocale: "en",
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: async (ctx) => {
      const userId = ctx.from?.id;
      const chosen = userId === undefined ? null : await prefs.getLang(userId);
      return chosen ?? langFromLanguageCode(ctx.from?.language_code);
    },
  });
  for (const lang of UI_LANGS) {
    const file = localeFile(lang);
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch (cause) {
      throw new LocaleLoadError(file.pathname, { cause });
    }
    i18n.loadLocaleSync(lang, { source });
  }
  return i18n;
}
