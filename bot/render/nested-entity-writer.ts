/**
 * Accumulates plain text with whitespace collapsed and turns a changing set of active styles into
 * Telegram entities that always nest fully. Whenever the wanted styles stop being an extension of
 * the currently open entities, the open entities above the common prefix are closed and reopened,
 * so overlapping input can never produce overlapping entities.
 *
 * Whitespace rule (the same one that makes `Block.text`, see digest's `normaliseText`): every run
 * of whitespace (JS `\s`, which includes NBSP, U+3000 and newlines, plus the zero-width space
 * U+200B) becomes one space; none at the start or end. Entities are
 * closed before and opened after a collapsed space, so they never start or end with whitespace and
 * are never empty. A collapsed space between two runs of the same style joins them into one
 * entity (`<b>a</b> <b>b</b>` → one bold "a b"): invisible, and fewer entities.
 */
import type { MessageEntity } from "grammy/types";
import type { InlineStyle } from "./inline-style.js";
import { sameStyle } from "./inline-style.js";

interface OpenEntity {
  style: InlineStyle;
  offset: number;
}

interface ClosedEntity {
  entity: MessageEntity;
  /** Nesting depth when opened: orders entities with the same range outer-first. */
  depth: number;
}

const WHITESPACE_RUN = /[\s\u200b]+/g;

export class NestedEntityWriter {
  private text = "";
  private pendingSpace = false;
  private readonly open: OpenEntity[] = [];
  private readonly closed: ClosedEntity[] = [];

  /** Appends `raw` (decoded text) formatted with `styles`, outermost first. */
  append(raw: string, styles: readonly InlineStyle[]): void {
    let body = raw.replace(WHITESPACE_RUN, " ");
    if (body.startsWith(" ")) {
      if (this.text.length > 0) this.pendingSpace = true;
      body = body.slice(1);
    }
    if (body === "") return;
    const trailingSpace = body.endsWith(" ");
    if (trailingSpace) body = body.slice(0, -1);

    const kept = this.commonPrefixLength(styles);
    this.closeAbove(kept, this.text.length);
    if (this.pendingSpace) {
      this.text += " ";
      this.pendingSpace = false;
    }
    for (let i = kept; i < styles.length; i++) {
      this.open.push({ style: styles[i]!, offset: this.text.length });
    }
    this.text += body;
    this.pendingSpace = trailingSpace;
  }

  /** The text so far (trailing whitespace dropped) and its entities, outer ones first. */
  finish(): { text: string; entities: MessageEntity[] } {
    this.closeAbove(0, this.text.length);
    this.closed.sort((a, b) => a.entity.offset - b.entity.offset || b.entity.length - a.entity.length || a.depth - b.depth);
    return { text: this.text, entities: this.closed.map((c) => c.entity) };
  }

  private commonPrefixLength(styles: readonly InlineStyle[]): number {
    let i = 0;
    while (i < this.open.length && i < styles.length && sameStyle(this.open[i]!.style, styles[i]!)) i++;
    return i;
  }

  private closeAbove(depth: number, end: number): void {
    while (this.open.length > depth) {
      const { style, offset } = this.open.pop()!;
      this.closed.push({ entity: entityOf(style, offset, end - offset), depth: this.open.length });
    }
  }
}

function entityOf(style: InlineStyle, offset: number, length: number): MessageEntity {
  return style.kind === "text_link"
    ? { type: "text_link", offset, length, url: style.url }
    : { type: style.kind, offset, length };
}
