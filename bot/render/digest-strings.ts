/**
 * The languages a digest is rendered in. Its words live in bot/locales/*.ftl under the
 * `digest-*` keys; the renderer receives a translate function for the language at hand.
 */
import type { UiLang } from "../context.js";

export type DigestLang = UiLang;
export type { Translate } from "../i18n.js";
