/**
 * Any article HTML becomes messages Telegram accepts: sizes within limits, entities in range,
 * fully nested, nothing inside code, no nested blockquotes, no broken surrogate pairs — and the
 * messages together hold exactly the article's text, nothing lost, nothing repeated.
 */
import fc from "fast-check";
import type { MessageEntity } from "grammy/types";
import { Parser } from "htmlparser2";
import { describe, expect, it } from "vitest";
import type { Article, Block } from "../../digest/types.js";
import { checkEntities } from "../../bot/emulator/index.js";
import { articleText, CAPTION_LIMIT, htmlToFormatted, MESSAGE_LIMIT, renderArticle } from "../../bot/render.js";

// ---- the reference: the plain-text rule of `Block.text`, written directly on htmlparser2 ----
// Decode entities, drop script/style (and comments), a <br> is a space, collapse whitespace
// (with U+200B, as digest's normaliseText does), trim.

function referenceText(html: string): string {
  let text = "";
  let hidden = 0;
  const parser = new Parser(
    {
      onopentag: (name) => {
        if (name === "script" || name === "style") hidden++;
        else if (name === "br" && hidden === 0) text += " ";
      },
      onclosetag: (name) => void (name === "script" || name === "style" ? hidden-- : 0),
      ontext: (data) => void (hidden === 0 ? (text += data) : 0),
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return text.replace(/[\s\u200b]+/g, " ").trim();
}

// ---- an independent validator (the emulator's checkEntities runs as well) ----

const ALLOWED_TYPES = new Set(["bold", "italic", "underline", "strikethrough", "text_link", "code"]);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const splitsPair = (text: string, i: number) =>
  i > 0 && i < text.length && /[\uD800-\uDBFF]/.test(text[i - 1]!) && /[\uDC00-\uDFFF]/.test(text[i]!);

function violations(text: string, entities: readonly MessageEntity[], limit: number): string[] {
  const found: string[] = [];
  if (text.length < 1 || text.length > limit) found.push(`length ${text.length} outside 1..${limit}`);
  if (LONE_SURROGATE.test(text)) found.push("lone surrogate in text");
  for (const e of entities) {
    const end = e.offset + e.length;
    if (!ALLOWED_TYPES.has(e.type)) found.push(`unexpected type ${e.type}`);
    if (!Number.isInteger(e.offset) || !Number.isInteger(e.length) || e.offset < 0 || e.length < 1 || end > text.length) {
      found.push(`${e.type} [${e.offset}, ${end}) out of range`);
    }
    if (splitsPair(text, e.offset) || splitsPair(text, end)) found.push(`${e.type} splits a surrogate pair`);
    if (e.type === "text_link" && !/^https?:\/\/[^\s/]+\.[^\s/]+/.test(e.url)) found.push(`bad url ${e.url}`);
  }
  for (const a of entities) {
    for (const b of entities) {
      if (a === b) continue;
      const [aEnd, bEnd] = [a.offset + a.length, b.offset + b.length];
      const disjoint = aEnd <= b.offset || bEnd <= a.offset;
      const bInsideA = a.offset <= b.offset && bEnd <= aEnd;
      const aInsideB = b.offset <= a.offset && aEnd <= bEnd;
      if (!disjoint && !bInsideA && !aInsideB) found.push(`${a.type} and ${b.type} overlap`);
      if (!disjoint && (a.type === "code" || b.type === "code")) found.push(`${a.type} and ${b.type} share text with code`);
      if (!disjoint && a.type === "text_link" && b.type === "text_link") found.push("nested links");
      if (!disjoint && a.type.includes("blockquote") && b.type.includes("blockquote")) found.push("nested blockquotes");
    }
  }
  return found;
}

// ---- generators: hostile HTML ----

const LONG_PARAGRAPHS = [
  "Sentence after sentence of English news copy. ".repeat(700),
  "专家认为韩日关系明显改善会让美国更容易管理东北亚局势。".repeat(1200),
  "x".repeat(30_000),
  "😀👨‍👩‍👧𠮷".repeat(3500),
  "word&nbsp;".repeat(5000),
].map((p) => fc.constant(p));

const words = fc.oneof(
  fc.constantFrom(
    "news", "Mr Trump", "曹良铉", "说", "。", ".", "!", "? ", "“引语”", "「引」", "😀", "𠮷", "👨‍👩‍👧", "🇯🇵🇰🇷",
    "&amp;", "&nbsp;", "&lt;b&gt;", "&#x1F600;", "&#128512;", "&#xD83D;", "&quot;", "&bogus;", "&", "<", ">", "a&b", "\u200b",
  ),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 6 }),
);
const whitespace = fc.constantFrom(" ", "\n", "\t", "\u00a0", "\u3000", "  \n ", "\r\n", "");
const styleTag = fc.constantFrom("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre");
const otherTag = fc.constantFrom(
  "span", "div", "p", "font", "blockquote", "tg-spoiler", "q", "h2", "li", "table", "td", "br", "img",
  "textarea", "title", "xmp", "noscript",
);
const tagName = fc.oneof({ weight: 4, arbitrary: styleTag }, { weight: 1, arbitrary: otherTag });
const href = fc.constantFrom(
  "https://www.voachinese.com/a/x(1).html", "http://ex.com/a b", "HTTPS://例子.测试/", "javascript:alert(1)", "/relative",
  "mailto:a@b.c", "http://localhost/", " https://ex.com/trim ", "", "data:text/html,x", "https://ex.com/\"onmouseover=x",
  "tg://resolve?domain=x", "https://", "//ex.com/proto-relative",
);
const token = fc.oneof(
  { weight: 8, arbitrary: words },
  { weight: 3, arbitrary: whitespace },
  { weight: 5, arbitrary: tagName.map((t) => `<${t}>`) },
  { weight: 3, arbitrary: tagName.map((t) => `</${t}>`) },
  { weight: 3, arbitrary: href.map((h) => `<a href="${h}">`) },
  { weight: 1, arbitrary: fc.constant("</a>") },
  { weight: 1, arbitrary: fc.constantFrom("<!-- <b>x</b> -->", "<!--", "<script>var s='<b>';</script>", "<style>b{}</style>", "<script>", "<b", "<a href='x") },
  { weight: 1, arbitrary: fc.oneof(...LONG_PARAGRAPHS) },
);
const bodyHtml = fc.array(token, { maxLength: 60, size: "medium" }).map((tokens) => tokens.join(""));

const collapse = (s: string) => s.replace(/[\s\u200b]+/g, " ").trim();

const block: fc.Arbitrary<Block | null> = fc
  .tuple(bodyHtml, fc.boolean())
  .map(([html, heading]) => {
    const text = referenceText(html);
    return text === "" ? null : { kind: heading ? "heading" : "paragraph", text, html };
  });

const articleArb: fc.Arbitrary<Article> = fc
  .record({
    title: fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }).map(collapse),
    url: fc.constantFrom("https://www.voachinese.com/a/story/7361233.html", "https://ex.com/a_(b)"),
    source: fc.constantFrom("VOA", "美国之音", ""),
    publishedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    image: fc.option(
      fc.record({
        url: fc.constantFrom("https://img.ex.com/a.jpg", "not a url"),
        caption: fc.option(fc.oneof(bodyHtml.map(referenceText), fc.constant("长图说明，".repeat(400)))),
      }),
    ),
    blocks: fc.array(block, { minLength: 1, maxLength: 6 }).map((bs) => bs.filter((b): b is Block => b !== null)),
  })
  .map((a) => ({
    ...a,
    title: a.title || "untitled",
    id: "k3x9a2mq",
    archivedAt: null,
    lang: "other" as const,
    contentHash: "h",
  }));

const MARKER = /\n\((\d+)\/(\d+)\)$/;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("render properties", () => {
  it("htmlToFormatted: text equals the sanitized plain text, entities always valid", () => {
    fc.assert(
      fc.property(bodyHtml, (html) => {
        const f = htmlToFormatted(html);
        expect(f.rawText).toBe(referenceText(html));
        if (f.rawText === "") {
          expect(f.rawEntities).toEqual([]);
          return;
        }
        expect(violations(f.rawText, f.rawEntities, Infinity)).toEqual([]);
        expect(checkEntities(f.rawText, f.rawEntities)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it("renderArticle: every message is valid and together they hold exactly the article text", () => {
    // Small limits make many cuts per run; the real limit is always in the mix.
    const limits = fc.oneof(fc.constant(MESSAGE_LIMIT), fc.integer({ min: 100, max: MESSAGE_LIMIT }));
    fc.assert(
      fc.property(articleArb, limits, (article, limit) => {
        const { messages, photo } = renderArticle(article, { limit });
        expect(messages.length).toBeGreaterThan(0);

        // What a reader must get: header, then each block's plain text, in order.
        const meta = [article.source, isoDate(article.publishedAt)].filter(Boolean).join(" · ");
        const expected = [`${article.title}\n${meta}`, ...article.blocks.map((b) => b.text)].join("\n\n");
        const whole = articleText(article);
        expect(whole.rawText).toBe(expected);

        // Problems are collected as strings (one expect per article keeps thousands of messages fast).
        const problems: string[] = [];
        let at = 0;
        messages.forEach((message, i) => {
          const where = `message ${i + 1}/${messages.length}`;
          for (const p of violations(message.rawText, message.rawEntities, limit)) problems.push(`${where}: ${p}`);
          for (const p of checkEntities(message.rawText, message.rawEntities)) problems.push(`${where}: ${p}`);
          let body = message.rawText;
          if (messages.length > 1) {
            const marker = MARKER.exec(body);
            if (marker?.[1] !== String(i + 1) || marker[2] !== String(messages.length)) problems.push(`${where}: bad marker`);
            body = body.replace(MARKER, "");
          }
          // Only whitespace may be skipped between two messages.
          while (at < expected.length && /\s/.test(expected[at]!)) at++;
          if (expected.slice(at, at + body.length) !== body) problems.push(`${where}: text differs at ${at}`);
          // The formatting of that stretch, closed and reopened at the cuts.
          const want = JSON.stringify(whole.slice(at, at + body.length).rawEntities);
          if (JSON.stringify(message.rawEntities) !== want) problems.push(`${where}: entities differ from the article's`);
          at += body.length;
        });
        expect(problems).toEqual([]);
        expect(expected.slice(at).trim()).toBe("");

        if (photo !== null) {
          expect(photo.caption.rawText.length).toBeLessThanOrEqual(CAPTION_LIMIT);
          expect(photo.caption.rawText).not.toMatch(LONE_SURROGATE);
          expect(checkEntities(photo.caption.rawText, photo.caption.rawEntities)).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
