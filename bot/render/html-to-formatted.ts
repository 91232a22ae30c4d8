/**
 * Article body HTML (untrusted: nested, unclosed or overlapping tags, scripts, entities) → plain
 * text + Telegram entities of the kinds a news article needs: bold, italic, underline,
 * strikethrough, text_link (http/https only) and code.
 *
 * Two passes. sanitize-html whitelists the style tags, `<br>` and link schemes and drops
 * script/style content and comments; its output is re-read with htmlparser2 and every text node is written with
 * the styles of the elements around it by `NestedEntityWriter`, which guarantees full nesting.
 * A `<br>` counts as whitespace, as in `Block.text`.
 * Telegram's own nesting rules are applied to the style list here: one link at a time (the
 * outermost), and code stands alone (nothing inside it, and it inside nothing).
 *
 * Known limit: mis-nested tags (`<b>x<i>y</b>z</i>`) follow htmlparser2's tree, where the inner
 * element ends with the outer one, so "z" is plain; no text is ever lost.
 */
import { FormattedString } from "@grammyjs/parse-mode";
import { Parser } from "htmlparser2";
import sanitizeHtml from "sanitize-html";
import type { InlineStyle } from "./inline-style.js";
import { STYLE_TAGS, styleOfElement } from "./inline-style.js";
import { telegramLinkUrl } from "./link-url.js";
import { NestedEntityWriter } from "./nested-entity-writer.js";

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...STYLE_TAGS, "br"],
  allowedAttributes: { a: ["href"] },
  allowedSchemes: ["http", "https"],
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  // Only these lose their text, exactly as in `Block.text`; sanitize-html's default list also
  // empties textarea/option/xmp, which would make the two texts disagree.
  nonTextTags: ["script", "style"],
  // A link Telegram would refuse is unwrapped, keeping its text. (Renaming it through transformTags
  // to a disallowed tag would corrupt the next closing tag: a known sanitize-html trap.)
  exclusiveFilter: (frame) => (frame.tag === "a" && telegramLinkUrl(frame.attribs["href"]) === null ? "excludeTag" : false),
};

/** Inline formatting of an article block as Telegram entities; text equals the block's plain text. */
export function htmlToFormatted(html: string): FormattedString {
  const writer = new NestedEntityWriter();
  const styles = new ActiveStyles();
  const elementStyles: (InlineStyle | null)[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        // A line break separates words exactly like whitespace (as in `Block.text`).
        if (name === "br") writer.append(" ", styles.effective());
        const style = styleOfElement(name, attributes);
        elementStyles.push(style);
        if (style !== null) styles.push(style);
      },
      onclosetag() {
        const style = elementStyles.pop();
        if (style !== undefined && style !== null) styles.pop(style);
      },
      ontext(text) {
        writer.append(text, styles.effective());
      },
    },
    { decodeEntities: true },
  );
  parser.end(sanitizeHtml(html, SANITIZE_OPTIONS));
  const { text, entities } = writer.finish();
  return new FormattedString(text, entities);
}

/**
 * The styles in force, outermost first, one per kind (a repeated `<b>` adds nothing), with
 * Telegram's rules applied. Kept incrementally so deeply nested input costs O(1) per tag.
 */
class ActiveStyles {
  private readonly depthByKind = new Map<InlineStyle["kind"], number>();
  private ordered: InlineStyle[] = [];
  private cached: readonly InlineStyle[] | null = null;

  push(style: InlineStyle): void {
    const depth = this.depthByKind.get(style.kind) ?? 0;
    this.depthByKind.set(style.kind, depth + 1);
    if (depth === 0) {
      this.ordered = [...this.ordered, style];
      this.cached = null;
    }
  }

  pop(style: InlineStyle): void {
    const depth = this.depthByKind.get(style.kind) ?? 0;
    if (depth === 0) return;
    this.depthByKind.set(style.kind, depth - 1);
    if (depth === 1) {
      this.ordered = this.ordered.filter((s) => s.kind !== style.kind);
      this.cached = null;
    }
  }

  effective(): readonly InlineStyle[] {
    if (this.cached === null) {
      const code = this.ordered.find((s) => s.kind === "code");
      this.cached = code === undefined ? this.ordered : [code];
    }
    return this.cached;
  }
}
