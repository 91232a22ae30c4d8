import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FormattedString } from "@grammyjs/parse-mode";
import type { MessageEntity } from "grammy/types";
import { describe, expect, it } from "vitest";
import type { Article, Block } from "../../digest/types.js";
import { parseArticle } from "../../digest/index.js";
import { checkEntities } from "../../bot/emulator/index.js";
import {
  CAPTION_LIMIT,
  htmlToFormatted,
  MESSAGE_LIMIT,
  renderArticle,
  SplitLimitError,
  splitFormatted,
  truncateFormatted,
} from "../../bot/render.js";

/** The substring an entity covers. */
const covered = (f: FormattedString, e: MessageEntity) => f.rawText.slice(e.offset, e.offset + e.length);
const kinds = (f: FormattedString) => f.rawEntities.map((e) => `${e.type}:${covered(f, e)}`);
const MARKER = /\n\((\d+)\/(\d+)\)$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function article(blocks: Block[], extra: Partial<Article> = {}): Article {
  return {
    id: "k3x9a2mq",
    url: "https://www.voachinese.com/a/story-20231119/7361233.html",
    title: "日韩首脑连袂出席美大学座谈会",
    publishedAt: Date.UTC(2023, 10, 19, 5, 15, 52),
    archivedAt: null,
    source: "VOA",
    lang: "zh-Hans",
    image: null,
    blocks,
    contentHash: "h",
    ...extra,
  };
}

const paragraph = (text: string, html = text): Block => ({ kind: "paragraph", text, html });

describe("htmlToFormatted", () => {
  it("maps each allowed tag to its entity kind", () => {
    const f = htmlToFormatted(
      "<b>B</b>,<strong>S</strong>,<i>I</i>,<em>E</em>,<u>U</u>,<ins>N</ins>,<s>X</s>,<del>D</del>,<code>C</code>",
    );
    expect(f.rawText).toBe("B,S,I,E,U,N,X,D,C");
    expect(kinds(f)).toEqual([
      "bold:B", "bold:S", "italic:I", "italic:E", "underline:U", "underline:N",
      "strikethrough:X", "strikethrough:D", "code:C",
    ]);
  });

  it("keeps http(s) links, normalised, and unwraps every other link to its text", () => {
    const f = htmlToFormatted(
      '<a href="https://ex.com/a b?q=1">ok</a> <a href="javascript:alert(1)">js</a> <a href="/rel">rel</a> ' +
        '<a href="http://localhost:3000/">local</a> <a href="mailto:x@y.z">mail</a> <a>bare</a> <a href="HTTP://例子.测试/x">idn</a>',
    );
    expect(f.rawText).toBe("ok js rel local mail bare idn");
    expect(f.rawEntities).toEqual([
      { type: "text_link", offset: 0, length: 2, url: "https://ex.com/a%20b?q=1" },
      { type: "text_link", offset: 26, length: 3, url: "http://xn--fsqu00a.xn--0zwm56d/x" },
    ]);
  });

  it("drops scripts, styles and comments and decodes entities", () => {
    const f = htmlToFormatted(
      "<script>alert('<b>x</b>')</script>A&amp;B&nbsp;&lt;tag&gt; &#x1F600;&quot;<style>p{}</style><!-- <b>gone</b> -->end",
    );
    expect(f.rawText).toBe("A&B <tag> 😀\"end");
    expect(f.rawEntities).toEqual([]);
  });

  it("collapses every whitespace run to one space and trims, keeping entities off the spaces", () => {
    const f = htmlToFormatted("\n  <b> bold\u00a0\u00a0text </b>\n\t<i>\u3000x</i>  ");
    expect(f.rawText).toBe("bold text x");
    expect(kinds(f)).toEqual(["bold:bold text", "italic:x"]);
  });

  it("drops formatting that covers only whitespace", () => {
    const f = htmlToFormatted("a<b> </b>b<i>\n</i>c");
    expect(f.rawText).toBe("a b c");
    expect(f.rawEntities).toEqual([]);
  });

  it("closes and reopens formatting around code so nothing is inside code and code is inside nothing", () => {
    const f = htmlToFormatted("<b>x <code>y<i>z</i></code> w</b> <code><a href='https://a.io'>c</a></code>");
    expect(f.rawText).toBe("x yz w c");
    expect(kinds(f)).toEqual(["bold:x", "code:yz", "bold:w", "code:c"]);
    expect(checkEntities(f.rawText, f.rawEntities)).toEqual([]);
  });

  it("turns overlapping and unclosed tags into fully nested entities without losing text", () => {
    for (const html of ["<b>x<i>y</b>z</i>", "<i><b>a</i>b</b>c", "<b><u>open <s>never closed", "</b>stray</i> end<b>"]) {
      const f = htmlToFormatted(html);
      expect(checkEntities(f.rawText, f.rawEntities), html).toEqual([]);
    }
    expect(htmlToFormatted("<b>x<i>y</b>z</i>").rawText).toBe("xyz");
    expect(kinds(htmlToFormatted("<b><u>open <s>never closed"))).toEqual([
      "bold:open never closed", "underline:open never closed", "strikethrough:never closed",
    ]);
  });

  it("keeps one link at a time: an inner link inside a link is ignored", () => {
    const f = htmlToFormatted('<a href="https://outer.io/">a <a href="https://inner.io/">b</a> c</a>');
    expect(f.rawEntities.filter((e) => e.type === "text_link")).toEqual([
      { type: "text_link", offset: 0, length: f.rawText.length, url: "https://outer.io/" },
    ]);
  });

  it("counts offsets in UTF-16 units across emoji and astral characters", () => {
    const f = htmlToFormatted("😀 <b>𠮷野家</b> 👨‍👩‍👧 <i>x</i>");
    expect(f.rawText).toBe("😀 𠮷野家 👨‍👩‍👧 x");
    expect(kinds(f)).toEqual(["bold:𠮷野家", "italic:x"]);
    expect(f.rawEntities[0]).toMatchObject({ offset: 3, length: 4 });
  });

  it("merges repeated nested tags into one entity and copes with very deep nesting", () => {
    const depth = 20_000;
    const f = htmlToFormatted("<b>".repeat(depth) + "deep" + "</b>".repeat(depth) + " x <b>a</b><b>b</b> <b>c</b>");
    expect(f.rawText).toBe("deep x ab c");
    // Runs of one style separated only by a collapsed space become one entity.
    expect(kinds(f)).toEqual(["bold:deep", "bold:ab c"]);
  });

  it("handles a 30,000-character paragraph", () => {
    const words = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `<b>word${i}</b>` : `word${i}`));
    const html = words.join(" ");
    const f = htmlToFormatted(html);
    expect(f.rawText.length).toBeGreaterThan(30_000);
    expect(f.rawText).toBe(words.map((w) => w.replace(/<\/?b>/g, "")).join(" "));
    expect(f.rawEntities).toHaveLength(Math.ceil(5000 / 7));
  });
});

describe("splitFormatted", () => {
  const sentences = (n: number) => Array.from({ length: n }, (_, i) => `Sentence number ${i} ends here.`).join(" ");

  it("returns a short text as one trimmed piece without a marker", () => {
    const pieces = splitFormatted(new FormattedString("  hello  "), 100, { numbered: true });
    expect(pieces.map((p) => p.rawText)).toEqual(["hello"]);
  });

  it("returns nothing for empty or whitespace-only text", () => {
    expect(splitFormatted(new FormattedString(""), 100)).toEqual([]);
    expect(splitFormatted(new FormattedString(" \n\n \u00a0"), 100)).toEqual([]);
  });

  it("cuts at paragraph breaks when there is one in the window", () => {
    const paragraphs = [sentences(3), sentences(2), sentences(4), sentences(1)];
    const text = paragraphs.join("\n\n");
    const pieces = splitFormatted(new FormattedString(text), 200).map((p) => p.rawText);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(200);
      // Every piece is a run of whole paragraphs.
      for (const part of piece.split("\n\n")) expect(paragraphs).toContain(part);
    }
    expect(pieces.join("\n\n")).toBe(text);
  });

  it("cuts a long paragraph at sentence ends, English and Chinese", () => {
    const english = sentences(40);
    for (const piece of splitFormatted(new FormattedString(english), 300)) {
      expect(piece.rawText).toMatch(/^Sentence .*\.$/);
    }
    const chinese = "韩日关系明显改善，会让美国更容易管理在东北亚局势。".repeat(60);
    const pieces = splitFormatted(new FormattedString(chinese), 500);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.rawText.endsWith("。")).toBe(true);
    expect(pieces.map((p) => p.rawText).join("")).toBe(chinese);
  });

  it("falls back to whitespace when a sentence is longer than the limit", () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`);
    const pieces = splitFormatted(new FormattedString(words.join(" ")), 100).map((p) => p.rawText);
    expect(pieces.join(" ")).toBe(words.join(" "));
    for (const piece of pieces) for (const w of piece.split(" ")) expect(words).toContain(w);
  });

  it("hard-cuts text without spaces between graphemes, never inside a surrogate pair", () => {
    const text = "😀a👨‍👩‍👧𠮷".repeat(300);
    const pieces = splitFormatted(new FormattedString(text), 51);
    expect(pieces.map((p) => p.rawText).join("")).toBe(text);
    for (const piece of pieces) {
      expect(piece.rawText.length).toBeLessThanOrEqual(51);
      expect(piece.rawText).not.toMatch(LONE_SURROGATE);
      // Family emoji stay whole.
      expect(piece.rawText.startsWith("\u200d")).toBe(false);
      expect(piece.rawText.endsWith("\u200d")).toBe(false);
    }
  });

  it("closes an entity at a cut and reopens it in the next piece", () => {
    const text = sentences(30);
    const bold = new FormattedString(text, [
      { type: "bold", offset: 0, length: text.length },
      { type: "text_link", offset: 10, length: 500, url: "https://ex.com/" },
    ]);
    const pieces = splitFormatted(bold, 200);
    expect(pieces.length).toBeGreaterThan(3);
    let linked = 0;
    for (const piece of pieces) {
      expect(piece.rawEntities[0]).toEqual({ type: "bold", offset: 0, length: piece.rawText.length });
      for (const e of piece.rawEntities) if (e.type === "text_link") linked += covered(piece, e).replace(/ /g, "").length;
      expect(checkEntities(piece.rawText, piece.rawEntities)).toEqual([]);
    }
    expect(linked).toBe(text.slice(10, 510).replace(/ /g, "").length);
  });

  it("numbers pieces (k/n) within the limit, widening the marker when the count gains a digit", () => {
    const text = sentences(60);
    for (const limit of [60, 100, 300]) {
      const pieces = splitFormatted(new FormattedString(text), limit, { numbered: true });
      pieces.forEach((piece, i) => {
        expect(piece.rawText.length).toBeLessThanOrEqual(limit);
        const match = MARKER.exec(piece.rawText);
        expect(match?.slice(1)).toEqual([String(i + 1), String(pieces.length)]);
      });
      const body = pieces.map((p) => p.rawText.replace(MARKER, "")).join(" ");
      expect(body).toBe(text);
    }
  });

  it("re-splits when the marker needs another digit (9 pieces plain, 10+ with markers)", () => {
    const text = new FormattedString(Array.from({ length: 85 }, (_, i) => `w${i % 10}xy`).join(" "));
    expect(splitFormatted(text, 50).length).toBeLessThanOrEqual(9);
    const numbered = splitFormatted(text, 50, { numbered: true });
    expect(numbered.length).toBeGreaterThanOrEqual(10);
    numbered.forEach((piece, i) => {
      expect(piece.rawText.length).toBeLessThanOrEqual(50);
      expect(piece.rawText.endsWith(`\n(${i + 1}/${numbered.length})`)).toBe(true);
    });
  });

  it("rejects a limit that cannot hold a surrogate pair", () => {
    expect(() => splitFormatted(new FormattedString("abc"), 1)).toThrow(SplitLimitError);
    expect(() => splitFormatted(new FormattedString("x".repeat(50)), 7, { numbered: true })).toThrow(/limit 7/);
  });
});

describe("truncateFormatted", () => {
  it("leaves a fitting text alone and cuts a long one at a word with an ellipsis", () => {
    expect(truncateFormatted(new FormattedString("short caption"), CAPTION_LIMIT).rawText).toBe("short caption");
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(" ");
    const cut = truncateFormatted(new FormattedString(words), CAPTION_LIMIT).rawText;
    expect(cut.length).toBeLessThanOrEqual(CAPTION_LIMIT);
    expect(cut.endsWith("…")).toBe(true);
    expect(words.startsWith(cut.slice(0, -1) + " ")).toBe(true);
  });

  it("prefers a sentence end", () => {
    const text = "第一句话很长很长。".repeat(200);
    const cut = truncateFormatted(new FormattedString(text), 100).rawText;
    expect(cut).toMatch(/。…$/);
    expect(cut.length).toBeLessThanOrEqual(100);
  });
});

describe("renderArticle", () => {
  it("renders title (bold link), source and date, then every block in order", () => {
    const blocks = [
      paragraph("First paragraph with bold and a link.", 'First paragraph with <b>bold</b> and <a href="https://ex.com/x">a link</a>.'),
      { kind: "heading", text: "A section", html: "<strong>A section</strong>" } satisfies Block,
      paragraph("Last one."),
    ];
    const { messages, photo } = renderArticle(article(blocks));
    expect(photo).toBeNull();
    expect(messages).toHaveLength(1);
    const m = messages[0]!;
    expect(m.rawText).toBe(
      "日韩首脑连袂出席美大学座谈会\nVOA · 2023-11-19\n\nFirst paragraph with bold and a link.\n\nA section\n\nLast one.",
    );
    expect(kinds(m)).toEqual([
      "bold:日韩首脑连袂出席美大学座谈会", "text_link:日韩首脑连袂出席美大学座谈会",
      "bold:bold", "text_link:a link", "bold:A section",
    ]);
    expect(m.rawEntities[1]).toMatchObject({ url: "https://www.voachinese.com/a/story-20231119/7361233.html" });
    expect(checkEntities(m.rawText, m.rawEntities)).toEqual([]);
  });

  it("uses the plain block text when the HTML's text differs from it", () => {
    const block = paragraph("Parser says this.", "<b>Something else</b>");
    const m = renderArticle(article([block])).messages[0]!;
    expect(m.rawText.endsWith("\n\nParser says this.")).toBe(true);
    expect(m.rawEntities.every((e) => e.offset + e.length <= m.rawText.indexOf("Parser"))).toBe(true);
  });

  it("formats the date with the given function", () => {
    const m = renderArticle(article([paragraph("x")]), { formatDate: (ms) => `@${ms}` }).messages[0]!;
    expect(m.rawText.split("\n")[1]).toBe(`VOA · @${Date.UTC(2023, 10, 19, 5, 15, 52)}`);
  });

  it("returns the photo with its caption cut to 1024 units, or no photo for an unusable URL", () => {
    const caption = "资料图片：日本首相岸田文雄和韩国总统尹锡悦合影留念。".repeat(80);
    const withImage = renderArticle(article([paragraph("x")], { image: { url: "https://img.ex.com/a.jpg", caption } }));
    expect(withImage.photo?.url).toBe("https://img.ex.com/a.jpg");
    const c = withImage.photo!.caption.rawText;
    expect(c.length).toBeLessThanOrEqual(CAPTION_LIMIT);
    expect(c).toMatch(/。…$/);
    expect(caption.startsWith(c.slice(0, -1))).toBe(true);
    expect(renderArticle(article([paragraph("x")], { image: { url: "data:image/png;base64,AA", caption: null } })).photo).toBeNull();
    expect(renderArticle(article([paragraph("x")], { image: { url: "https://img.ex.com/a.jpg", caption: null } })).photo?.caption.rawText).toBe("");
  });

  it("splits a long article into numbered messages that keep every block in order", () => {
    const blocks = Array.from({ length: 40 }, (_, i) =>
      paragraph(`Paragraph ${i}: ` + "Some words that fill the line. ".repeat(i % 5 === 0 ? 200 : 3).trim()),
    );
    const { messages } = renderArticle(article(blocks));
    expect(messages.length).toBeGreaterThan(2);
    const body = messages.map((m, i) => {
      expect(m.rawText.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
      expect(MARKER.exec(m.rawText)?.slice(1)).toEqual([String(i + 1), String(messages.length)]);
      expect(checkEntities(m.rawText, m.rawEntities)).toEqual([]);
      return m.rawText.replace(MARKER, "");
    }).join(" ");
    const flat = (s: string) => s.replace(/\s+/g, " ");
    expect(flat(body)).toBe(flat(["日韩首脑连袂出席美大学座谈会\nVOA · 2023-11-19", ...blocks.map((b) => b.text)].join(" ")));
  });
});

describe("real articles (../shared/corpus, seeds/)", () => {
  const corpus = fileURLToPath(new URL("../../../shared/corpus/", import.meta.url));
  const seeds = fileURLToPath(new URL("../../seeds/", import.meta.url));
  const files = [
    ...readdirSync(corpus).filter((f) => f.endsWith(".txt")).map((f) => corpus + f),
    ...readdirSync(corpus + "archive").filter((f) => f.endsWith(".md")).map((f) => `${corpus}archive/${f}`),
    ...readdirSync(seeds).filter((f) => f.endsWith(".txt")).map((f) => seeds + f),
  ];
  const articles = files.map((file) => ({ file, article: parseArticle(readFileSync(file), file) }));

  it("finds the corpus", () => {
    expect(articles.length).toBeGreaterThanOrEqual(330);
  });

  it("keeps inline formatting on every real block: the HTML's text equals Block.text", () => {
    const differing = articles.flatMap(({ file, article }) =>
      article.blocks.filter((b) => htmlToFormatted(b.html).rawText !== b.text).map((b) => `${file}: ${b.text.slice(0, 40)}`),
    );
    expect(differing).toEqual([]);
  });

  it("renders each one into valid messages holding every block's text in order", () => {
    for (const { file, article } of articles) {
      const { messages, photo } = renderArticle(article);
      const bodies = messages.map((m, i) => {
        expect(m.rawText.length, file).toBeLessThanOrEqual(MESSAGE_LIMIT);
        expect(checkEntities(m.rawText, m.rawEntities), file).toEqual([]);
        if (messages.length > 1) expect(MARKER.exec(m.rawText)?.slice(1), file).toEqual([String(i + 1), String(messages.length)]);
        return messages.length > 1 ? m.rawText.replace(MARKER, "") : m.rawText;
      });
      // Cuts drop only whitespace, so the blocks appear in order in the joined text.
      const all = bodies.join(" ").replace(/\s+/g, " ");
      let at = all.indexOf(article.title) + article.title.length;
      expect(at, file).toBeGreaterThan(article.title.length - 1);
      for (const block of article.blocks) {
        const found = all.indexOf(block.text, at);
        expect(found, `${file}: ${block.text.slice(0, 40)}`).toBeGreaterThanOrEqual(at);
        at = found + block.text.length;
      }
      // Cuts fall between blocks; only a block too long to leave room for a paragraph break
      // (over 3/4 of a message) is cut inside, and then at a sentence end.
      const hasHugeBlock = article.blocks.some((b) => b.text.length > MESSAGE_LIMIT * 0.75);
      for (const body of bodies.slice(0, -1)) {
        if (article.blocks.some((b) => body.endsWith(b.text))) continue;
        expect(hasHugeBlock, `${file} cut inside a short block`).toBe(true);
        expect(body, file).toMatch(/[。！？.!?][”’」』）)"']*$/);
      }
      if (photo) {
        expect(photo.caption.rawText.length).toBeLessThanOrEqual(CAPTION_LIMIT);
        expect(photo.caption.rawText.replace(/…$/, "")).toBe(
          (article.image?.caption ?? "").slice(0, photo.caption.rawText.replace(/…$/, "").length),
        );
      }
    }
  });

  it("shows the sample seed's sub-heading in bold and its title as a bold link", () => {
    const seed = articles.find(({ file }) => file.includes("/seeds/"))!.article;
    const [first] = renderArticle(seed).messages;
    expect(kinds(first!)).toContain("bold:日韩合作对经济安保格外重要");
    expect(first!.rawEntities).toContainEqual({ type: "text_link", offset: 0, length: seed.title.length, url: seed.url });
  });
});
