/**
 * Real seed files, damaged at random: parseArticle must return a well-formed Article or throw a
 * SeedError with a real reason — never anything else, never a crash, never "internal".
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseArticle } from "../../digest/article.js";
import { SeedError } from "../../digest/errors.js";
import type { Article } from "../../digest/types.js";

const corpus = new URL("../../../shared/corpus/", import.meta.url);
/** One file per variant: canonical zh/zh-Hant/en, front matter + RFC/dmy/byline dates, page layout, CNA, Chinese date. */
const SEEDS = [
  "seed.txt", "zh_045.txt", "en_009.txt", "zh_014.txt",
  "archive/00000.md", "archive/00001.md", "archive/00003.md", "archive/00002.md", "archive/00022.md", "archive/00150.md",
].map((f) => readFileSync(new URL(f, corpus)));

const FRAGMENTS = [
  "<p>", "</p>", "<div>", "</div>", "<strong>", "</strong>", "<b>", "<i>", "</i>", "<br>", "<script>", "</script>",
  "<style>", "<!--", "-->", "<img src=x>", "<img src=\"//cdn.example/a.jpg\">", "<small>", "<figcaption>", "<h2>",
  "<li>", "<table><td>", "<article class=\"x\">", "<div class=\"entry-content\">", "<nav>", "&nbsp;", "&amp;", "&#0;",
  "&#xD800;", "&#x110000;", "&bogus;", "\u0000", "\r\n", "\r", "\ufeff", "\u200b", "[", "]", "](", ")", "(", "\n",
  "------\n", "---\n", "<!--1700000000000-->\n", "date: 2020-01-01\n", "<div><i>Mon, 31 Feb 2020 10:00:00 GMT</i></div>",
  "<div>99/99/2020 - 25:61</div>", "[t](ftp://x)\n", "𠀋", "\ud83d", "中文", "說",
];

// Unbiased: fast-check otherwise favours 0 and 1, which would mostly hit the header or nothing.
const position = fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((n) => n / 1_000_001);
const length = fc.integer({ min: 1, max: 400 });
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: position, len: length }),
  fc.record({ kind: fc.constant("insert-bytes" as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
  fc.record({ kind: fc.constant("replace" as const), at: position, len: length, bytes: fc.uint8Array({ maxLength: 24 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.record({ kind: fc.constant("insert-text" as const), at: position, text: fc.constantFrom(...FRAGMENTS), times: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: position, len: length, to: position }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function apply(bytes: Buffer, m: Mutation): Buffer {
  const at = Math.floor(m.at * bytes.length);
  switch (m.kind) {
    case "delete":
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.len)]);
    case "insert-bytes":
      return Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    case "replace":
      return Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at + m.len)]);
    case "truncate":
      return bytes.subarray(0, at);
    case "insert-text":
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text.repeat(m.times)), bytes.subarray(at)]);
    case "duplicate": {
      const section = bytes.subarray(at, at + m.len);
      const to = Math.floor(m.to * bytes.length);
      return Buffer.concat([bytes.subarray(0, to), section, bytes.subarray(to)]);
    }
  }
}

const LANGS = new Set(["zh-Hans", "zh-Hant", "en", "other"]);
const REASONS = new Set(["empty", "too-large", "binary", "invalid-utf8", "no-title", "no-url", "bad-url", "no-body", "no-date", "bad-date"]);
const isHttpUrl = (u: string): boolean => /^https?:$/.test(new URL(u).protocol);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function expectWellFormed(a: Article): void {
  expect(Object.keys(a).sort()).toEqual(
    ["archivedAt", "blocks", "contentHash", "id", "image", "lang", "publishedAt", "source", "title", "url"].sort(),
  );
  expect(a.id).toMatch(/^[0-9a-z]{8}$/);
  expect(isHttpUrl(a.url)).toBe(true);
  expect(typeof a.title).toBe("string");
  expect(a.title).not.toBe("");
  expect(a.title).toBe(a.title.trim());
  expect(Number.isFinite(a.publishedAt)).toBe(true);
  expect(a.archivedAt === null || Number.isFinite(a.archivedAt)).toBe(true);
  expect(typeof a.source).toBe("string");
  expect(a.source).not.toBe("");
  expect(LANGS.has(a.lang)).toBe(true);
  if (a.image !== null) {
    expect(isHttpUrl(a.image.url)).toBe(true);
    expect(a.image.caption === null || (typeof a.image.caption === "string" && a.image.caption !== "")).toBe(true);
  }
  expect(a.blocks.length).toBeGreaterThan(0);
  for (const b of a.blocks) {
    expect(b.kind === "paragraph" || b.kind === "heading").toBe(true);
    expect(typeof b.text).toBe("string");
    expect(b.text).not.toBe("");
    expect(b.text).toBe(b.text.trim());
    expect(LONE_SURROGATE.test(b.text)).toBe(false);
    expect(typeof b.html).toBe("string");
  }
  expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
  expect(JSON.parse(JSON.stringify(a))).toEqual(a);
}

describe("parseArticle on damaged real seeds", () => {
  it("returns a well-formed Article or throws a SeedError with a real reason", () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SEEDS.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (seedIndex, mutations, asString) => {
          const bytes = mutations.reduce(apply, SEEDS[seedIndex] as Buffer);
          // As a string, invalid UTF-8 has become U+FFFD: the parser sees other damage.
          const input = asString ? bytes.toString("utf8") : bytes;
          let article: Article;
          try {
            article = parseArticle(input, "damaged.txt");
          } catch (err) {
            expect(err).toBeInstanceOf(SeedError);
            const e = err as SeedError;
            expect(REASONS.has(e.reason), `${e.reason}: ${e.message}`).toBe(true);
            expect(e.file).toBe("damaged.txt");
            expect(e.message.startsWith("damaged.txt: ")).toBe(true);
            outcomes.set(e.reason, (outcomes.get(e.reason) ?? 0) + 1);
            return;
          }
          expectWellFormed(article);
          outcomes.set("parsed", (outcomes.get("parsed") ?? 0) + 1);
        },
      ),
      { numRuns: 400 },
    );
    // Both outcomes must really occur, or the mutations are too weak (or too strong) to test anything.
    expect(outcomes.get("parsed") ?? 0).toBeGreaterThan(50);
    expect([...outcomes.keys()].filter((k) => k !== "parsed").length).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it("undamaged seeds all parse (the property starts from good files)", () => {
    for (const bytes of SEEDS) expectWellFormed(parseArticle(bytes, "seed"));
  });
});
