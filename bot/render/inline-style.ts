/**
 * The inline formatting an article body may carry into a Telegram message, and which HTML tags
 * produce it. Everything else in the HTML is reduced to its text.
 */
import { telegramLinkUrl } from "./link-url.js";

export type InlineStyle =
  | { kind: "bold" | "italic" | "underline" | "strikethrough" | "code" }
  | { kind: "text_link"; url: string };

export type InlineStyleKind = InlineStyle["kind"];

const STYLE_OF_TAG: Readonly<Record<string, InlineStyleKind>> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  code: "code",
  pre: "code",
  kbd: "code",
  samp: "code",
  tt: "code",
};

/** Tags sanitize-html keeps; all others are unwrapped to their text. */
export const STYLE_TAGS: readonly string[] = [...Object.keys(STYLE_OF_TAG), "a"];

/** The style an element gives its text, or null (unknown tag, or a link Telegram would refuse). */
export function styleOfElement(tag: string, attributes: Readonly<Record<string, string>>): InlineStyle | null {
  if (tag === "a") {
    const url = telegramLinkUrl(attributes["href"]);
    return url === null ? null : { kind: "text_link", url };
  }
  const kind = STYLE_OF_TAG[tag];
  return kind === undefined || kind === "text_link" ? null : { kind };
}

export function sameStyle(a: InlineStyle, b: InlineStyle): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== "text_link" || a.url === (b as { url: string }).url;
}
