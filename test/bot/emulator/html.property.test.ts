/**
 * Property: any tree of allowed formatting, serialised to Telegram HTML by an independent writer
 * (escaping &, <, >, "), parses back to exactly its text and entities — offsets in UTF-16 units,
 * emoji and CJK included. And cutting a valid message inside a tag never parses.
 */
import fc from "fast-check";
import type { MessageEntity } from "grammy/types";
import { describe, expect, it } from "vitest";
import { checkEntities, parseTelegramHtml } from "../../../bot/emulator/index.js";

type Node =
  | { kind: "text"; text: string }
  | { kind: "tag"; tag: "b" | "i" | "u" | "s" | "tg-spoiler" | "code"; children: Node[] }
  | { kind: "link"; url: string; children: Node[] }
  | { kind: "quote"; expandable: boolean; children: Node[] };

const pieces = ["a", "Z", " ", "\n", "&", "<", ">", "\"", "'", "中", "國", "😀", "👍🏽", "é", ";", "#", "1"];
const textArb = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(""));
const textNode: fc.Arbitrary<Node> = textArb.map((text) => ({ kind: "text", text }));

/** Inline content: formatting may nest freely; code holds only text; links hold no links or code. */
function inline(depth: number, insideLink: boolean): fc.Arbitrary<Node> {
  if (depth === 0) return textNode;
  const children = fc.array(inline(depth - 1, insideLink), { minLength: 1, maxLength: 3 });
  const options: Array<fc.Arbitrary<Node>> = [
    textNode,
    fc.record({ kind: fc.constant("tag" as const), tag: fc.constantFrom("b" as const, "i" as const, "u" as const, "s" as const, "tg-spoiler" as const), children }),
  ];
  if (!insideLink) {
    options.push(fc.record({ kind: fc.constant("tag" as const), tag: fc.constant("code" as const), children: fc.array(textNode, { minLength: 1, maxLength: 2 }) }));
    options.push(fc.record({
      kind: fc.constant("link" as const),
      url: fc.constantFrom("https://example.com/a?b=1&c=2", "http://中文.example/路径", "tg://user?id=42"),
      children: fc.array(inline(depth - 1, true), { minLength: 1, maxLength: 2 }),
    }));
  }
  return fc.oneof(...options);
}

const documentArb: fc.Arbitrary<Node[]> = fc.array(
  fc.oneof(
    inline(3, false),
    fc.record({ kind: fc.constant("quote" as const), expandable: fc.boolean(), children: fc.array(inline(2, false), { minLength: 1, maxLength: 3 }) }),
  ),
  { minLength: 1, maxLength: 5 },
);

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function toHtml(nodes: Node[]): string {
  return nodes.map((node) => {
    switch (node.kind) {
      case "text": return escape(node.text);
      case "tag": return `<${node.tag}>${toHtml(node.children)}</${node.tag}>`;
      case "link": return `<a href="${escape(node.url)}">${toHtml(node.children)}</a>`;
      case "quote": return `<blockquote${node.expandable ? " expandable" : ""}>${toHtml(node.children)}</blockquote>`;
    }
  }).join("");
}

const TYPE: Record<string, MessageEntity["type"]> = { b: "bold", i: "italic", u: "underline", s: "strikethrough", "tg-spoiler": "spoiler", code: "code" };

/** The text and entities the tree means, computed without any parser. */
function expected(nodes: Node[], state = { text: "", entities: [] as MessageEntity[] }) {
  for (const node of nodes) {
    if (node.kind === "text") {
      state.text += node.text;
      continue;
    }
    const offset = state.text.length;
    expected(node.children, state);
    const length = state.text.length - offset;
    if (node.kind === "tag") state.entities.push({ type: TYPE[node.tag]!, offset, length } as MessageEntity);
    else if (node.kind === "link") state.entities.push({ type: "text_link", offset, length, url: node.url });
    else state.entities.push({ type: node.expandable ? "expandable_blockquote" : "blockquote", offset, length });
  }
  return state;
}

const canonical = (entities: MessageEntity[]) =>
  [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length || a.type.localeCompare(b.type));

describe("parseTelegramHtml round trip (property)", () => {
  it("recovers text and entities of any allowed formatting tree", () => {
    fc.assert(fc.property(documentArb, (tree) => {
      // Non-space guards at both ends so Telegram's trimming does not change the expectation.
      const guarded: Node[] = [{ kind: "text", text: "[" }, ...tree, { kind: "text", text: "]" }];
      const want = expected(guarded);
      const got = parseTelegramHtml(toHtml(guarded));
      if ("error" in got) throw new Error(`${got.error}\nHTML: ${toHtml(guarded)}`);
      expect(got.text).toBe(want.text);
      expect(canonical(got.entities)).toEqual(canonical(want.entities));
      expect(checkEntities(got.text, got.entities)).toEqual([]);
    }), { numRuns: 500 });
  });

  it("never accepts a message cut inside a tag", () => {
    fc.assert(fc.property(documentArb, fc.nat(), (tree, seed) => {
      const html = toHtml([{ kind: "text", text: "[" }, ...tree]);
      const tagStarts = [...html.matchAll(/<[a-z-]/g)].map((match) => match.index!);
      if (tagStarts.length === 0) return;
      const cut = tagStarts[seed % tagStarts.length]! + 2;
      expect(parseTelegramHtml(html.slice(0, cut))).toHaveProperty("error");
    }), { numRuns: 300 });
  });
});
