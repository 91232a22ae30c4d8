import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTelegramHtml } from "../../../bot/emulator/index.js";

const corpusDir = new URL("../../../../shared/corpus/", import.meta.url);
const seedFiles = readdirSync(corpusDir).filter((name) => name.endsWith(".txt")).sort();

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function ok(html: string) {
  const result = parseTelegramHtml(html);
  if ("error" in result) throw new Error(`expected ${JSON.stringify(html)} to parse, got: ${result.error}`);
  return result;
}

function error(html: string): string {
  const result = parseTelegramHtml(html);
  if (!("error" in result)) throw new Error(`expected ${JSON.stringify(html)} to be rejected, got ${JSON.stringify(result)}`);
  return result.error;
}

describe("parseTelegramHtml: accepted markup", () => {
  it("turns nested tags into nested entities with UTF-16 offsets", () => {
    expect(ok("<b>bold <i>both</i></b> 😀 <u>u</u>")).toEqual({
      text: "bold both 😀 u",
      entities: [
        { type: "bold", offset: 0, length: 9 },
        { type: "italic", offset: 5, length: 4 },
        { type: "underline", offset: 13, length: 1 }, // the emoji before it counts 2
      ],
    });
  });

  it("maps every synonym tag to its entity type, case-insensitively", () => {
    const result = ok("<STRONG>a</STRONG><em>b</em><ins>c</ins><s>d</s><strike>e</strike><del>f</del><tg-spoiler>g</tg-spoiler><span class=\"tg-spoiler\">h</span>");
    expect(result.text).toBe("abcdefgh");
    expect(result.entities.map((entity) => entity.type)).toEqual([
      "bold", "italic", "underline", "strikethrough", "strikethrough", "strikethrough", "spoiler", "spoiler",
    ]);
  });

  it("decodes the four named entities and numeric ones, semicolon optional like Telegram", () => {
    expect(ok("&lt;&gt;&amp;&quot; &#65;&#x42; &#x1F600; &lt").text).toBe("<>&\" AB 😀 <");
  });

  it("makes <pre><code class=\"language-x\"> one pre entity with a language", () => {
    expect(ok("<pre><code class=\"language-typescript\">let x = 1;</code></pre>").entities).toEqual([
      { type: "pre", offset: 0, length: 10, language: "typescript" },
    ]);
  });

  it("keeps links, expandable blockquotes and formatting around code", () => {
    const result = ok("<blockquote expandable><a href=\"https://example.com/a?b=1&amp;c=2\">link</a> <b><code>x</code></b></blockquote>");
    expect(result.entities).toEqual([
      { type: "expandable_blockquote", offset: 0, length: 6 },
      { type: "text_link", offset: 0, length: 4, url: "https://example.com/a?b=1&c=2" },
      { type: "bold", offset: 5, length: 1 },
      { type: "code", offset: 5, length: 1 },
    ]);
  });

  it("trims surrounding whitespace and clips entities like Telegram", () => {
    expect(ok("\n  <b>  hi</b> there \n")).toEqual({ text: "hi there", entities: [{ type: "bold", offset: 0, length: 2 }] });
  });
});

describe("parseTelegramHtml: Telegram's errors", () => {
  it("rejects unknown tags with the UTF-8 byte offset of the tag", () => {
    expect(error("Hello<div>x</div>")).toBe("Unsupported start tag \"div\" at byte offset 5");
    expect(error("中文<p>x</p>")).toBe("Unsupported start tag \"p\" at byte offset 6"); // 3 bytes per CJK character
  });

  it("rejects a bare < as an empty start tag", () => {
    expect(error("1 < 2")).toBe("Unsupported start tag \"\" at byte offset 2");
  });

  it("rejects unclosed and mis-nested tags", () => {
    expect(error("<b>bold")).toBe("Can't find end tag corresponding to start tag \"b\"");
    expect(error("<b><i>x</b></i>")).toBe("Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\"");
    expect(error("x</b>")).toBe("Unexpected end tag at byte offset 1");
    expect(error("<b")).toBe("Unclosed start tag at byte offset 0");
  });

  it("rejects a & that starts no entity (Telegram would show it raw), and &nbsp;", () => {
    expect(error("Q&A")).toMatch(/^Character "&" at byte offset 1 /);
    expect(error("a&nbsp;b")).toMatch(/^Character "&" at byte offset 1 /);
    expect(parseTelegramHtml("Q&A", { strictAmpersand: false })).toEqual({ text: "Q&A", entities: [] });
  });

  it("rejects bad attributes, spans without tg-spoiler and links Telegram would drop", () => {
    expect(error("<b class>x</b>")).toBe("Expected equal sign in declaration of an attribute of the tag \"b\" at byte offset 0");
    expect(error("<span>x</span>")).toBe("Tag \"span\" must have class \"tg-spoiler\" at byte offset 0");
    expect(error("<a href=\"javascript:alert(1)\">x</a>")).toMatch(/^Invalid URL "javascript:alert\(1\)" in tag "a"/);
    expect(error("<a>not a url</a>")).toMatch(/^Invalid URL "not a url"/);
  });

  it("rejects text cut inside an emoji", () => {
    expect(error(`<b>${"😀".slice(0, 1)}</b>`)).toBe("Unpaired surrogate at UTF-16 offset 3: the text is not valid UTF-8");
  });

  it("rejects formatting inside code and nested blockquotes", () => {
    expect(error("<code>a<b>b</b></code>")).toMatch(/"bold" entity .* can't be inside "code" entity/);
    expect(error("<blockquote>a<blockquote>b</blockquote></blockquote>")).toMatch(/^blockquotes can't be nested/);
  });
});

describe("parseTelegramHtml on the real corpus", () => {
  it("has articles to read", () => {
    expect(seedFiles.length).toBeGreaterThan(20);
  });

  it.each(seedFiles)("rejects the raw article HTML of %s the way Telegram would", (file) => {
    const body = readFileSync(new URL(file, corpusDir), "utf8").split("\n").find((line) => line.startsWith("<") && !line.startsWith("<!--"))!;
    const firstTag = /^<([a-zA-Z0-9-]+)/.exec(body)![1]!.toLowerCase();
    expect(error(body)).toBe(`Unsupported start tag "${firstTag}" at byte offset 0`);
  });

  it.each(seedFiles)("round-trips the escaped, bolded title of %s with lengths in UTF-16 units", (file) => {
    const titleLine = readFileSync(new URL(file, corpusDir), "utf8").split("\n").find((line) => line.startsWith("["))!;
    const title = titleLine.slice(1, titleLine.lastIndexOf("]("));
    const result = ok(`<b>${escapeHtml(title)}</b>`);
    expect(result.text).toBe(title.trim());
    expect(result.entities).toEqual([{ type: "bold", offset: 0, length: title.trim().length }]);
  });
});
