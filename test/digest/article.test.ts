import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseArticle } from "../../digest/article.js";
import { SeedError, type SeedErrorReason } from "../../digest/errors.js";
import { parseGold } from "../../digest/gold.js";
import { parseDateLine, parseFrontMatterDate } from "../../digest/seed/dates.js";
import { MAX_SEED_BYTES } from "../../digest/seed/text.js";

const corpus = new URL("../../../shared/corpus/", import.meta.url);
const annotated = readdirSync(corpus)
  .filter((f) => f.endsWith(".txt"))
  .sort();
const raw = (file: string): Buffer => readFileSync(new URL(file, corpus));
const gold = (file: string) => parseGold(JSON.parse(readFileSync(new URL(file.replace(/\.txt$/, ".json"), corpus), "utf8")), file);

/** The body as the corpus README defines it: everything after the `------` rule. */
const rawBody = (text: string): string => text.slice(text.indexOf("\n------\n") + 8);

function rejection(input: string | Uint8Array, file = "bad.txt"): SeedError {
  try {
    parseArticle(input, file);
  } catch (err) {
    if (err instanceof SeedError) return err;
    throw new Error(`threw something other than SeedError: ${String(err)}`);
  }
  throw new Error("parsed, but a SeedError was expected");
}
const reasonFor = (input: string | Uint8Array): SeedErrorReason => rejection(input).reason;

/** A small canonical seed (DESIGN §4), built by hand. */
function seed(body: string, opts: { comment?: string | null; title?: string; url?: string } = {}): string {
  const comment = opts.comment === undefined ? "<!--1700372342000-->\n" : opts.comment === null ? "" : `<!--${opts.comment}-->\n`;
  return `${comment}[${opts.title ?? "A title"}](${opts.url ?? "https://www.voachinese.com/a/x/1.html"})\n------\n\n${body}`;
}
const DATE_LINE = "<div><i>Sun, 19 Nov 2023 05:15:52 GMT</i></div>";

describe("parseArticle on the annotated corpus", () => {
  it("finds the annotated files", () => {
    expect(annotated.length).toBeGreaterThanOrEqual(29);
  });

  for (const file of annotated) {
    it(`${file}: title, url, date, source, language and <p> alignment match the gold file`, () => {
      const bytes = raw(file);
      const g = gold(file);
      const article = parseArticle(bytes, file);
      expect(article.title).toBe(g.title);
      expect(article.url).toBe(g.url);
      expect(article.publishedAt).toBe(Date.parse(g.published));
      expect(article.source).toBe(g.source);
      const paragraphs = rawBody(bytes.toString("utf8")).match(/<p[\s>]/g) ?? [];
      expect(article.blocks.length).toBe(paragraphs.length);
      const expectedLang = g.lang === "zh-Hant" ? "zh-Hant" : g.lang === "en" ? "en" : "zh-Hans";
      expect(article.lang).toBe(expectedLang);
      // Alignment, checked the way the quote evaluation uses it: each gold text lies in its block.
      for (const q of [...g.quotes, ...g.org_statements, ...g.unnamed_statements]) {
        expect(article.blocks[q.paragraph]?.text, `${q.speaker}: ${q.text}`).toContain(q.text);
      }
    });
  }

  it("reads the lead image and its <small> caption, which is not a block", () => {
    const text = raw("seed.txt").toString("utf8");
    const caption = /<div><small[^>]*>([^<]*)<\/small><\/div>/.exec(text)?.[1];
    const src = /<img src="([^"]+)"/.exec(text)?.[1];
    const article = parseArticle(text, "seed.txt");
    expect(article.image).toEqual({ url: src, caption });
    expect(article.blocks.some((b) => b.text === caption)).toBe(false);
  });

  it("gives an empty caption as null", () => {
    const article = parseArticle(raw("en_001.txt"), "en_001.txt");
    expect(article.image?.url).toMatch(/^https:\/\/images\.weserv\.nl/);
    expect(article.image?.caption).toBeNull();
  });

  it("keeps each <p>'s inner HTML and marks whole-bold <p>s as headings", () => {
    const text = raw("seed.txt").toString("utf8");
    const inner = [...rawBody(text).matchAll(/<p>(.*?)<\/p>/g)].map((m) => m[1]);
    const article = parseArticle(text, "seed.txt");
    expect(article.blocks.map((b) => b.html)).toEqual(inner);
    const bold = inner.map((h) => /^<strong>[^<]*<\/strong>$/.test(h ?? ""));
    expect(article.blocks.map((b) => b.kind === "heading")).toEqual(bold);
    expect(bold.filter(Boolean).length).toBeGreaterThan(0);
  });

  it("archivedAt is the comment, publishedAt the date line", () => {
    const text = raw("seed.txt").toString("utf8");
    const article = parseArticle(text, "seed.txt");
    expect(article.archivedAt).toBe(Number(/^<!--(\d+)-->/.exec(text)?.[1]));
    expect(article.publishedAt).toBe(Date.parse(/<div><i>([^<]+)<\/i><\/div>/.exec(text)?.[1] ?? ""));
    expect(article.publishedAt).not.toBe(article.archivedAt);
  });

  it("ids are 8 base36 characters, distinct per URL, independent of file name and content", () => {
    const articles = annotated.map((f) => parseArticle(raw(f), f));
    for (const a of articles) expect(a.id).toMatch(/^[0-9a-z]{8}$/);
    expect(new Set(articles.map((a) => a.id)).size).toBe(articles.length);
    const seedText = raw("seed.txt").toString("utf8");
    const renamed = parseArticle(seedText.replace("<p>", "<p>Edited. "), "other-name.txt");
    expect(renamed.id).toBe(articles.find((a) => a.url === renamed.url)?.id);
  });

  it("contentHash changes with the text and not with line endings or the file name", () => {
    const text = raw("zh_046.txt").toString("utf8");
    const base = parseArticle(text, "a.txt");
    expect(base.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(parseArticle(text.replace(/\n/g, "\r\n"), "b.txt").contentHash).toBe(base.contentHash);
    expect(parseArticle(text.replace("<p>", "<p>另外，"), "a.txt").contentHash).not.toBe(base.contentHash);
  });

  it("is plain data that survives JSON", () => {
    const article = parseArticle(raw("zh_045.txt"), "zh_045.txt");
    expect(JSON.parse(JSON.stringify(article))).toEqual(article);
  });
});

describe("parseArticle rejects bad input with a typed SeedError", () => {
  const good = raw("seed.txt");

  it("empty file, whitespace, a lone BOM", () => {
    expect(reasonFor(new Uint8Array(0))).toBe("empty");
    expect(reasonFor("  \n\t\n")).toBe("empty");
    expect(reasonFor(new Uint8Array([0xef, 0xbb, 0xbf, 0x0a]))).toBe("empty");
  });

  it("a 20 MB file is refused without being parsed", () => {
    const big = new Uint8Array(20 * 1024 * 1024).fill(0x61);
    const started = performance.now();
    const err = rejection(big, "huge.txt");
    expect(err.reason).toBe("too-large");
    expect(performance.now() - started).toBeLessThan(200);
    expect(reasonFor("a".repeat(MAX_SEED_BYTES + 1))).toBe("too-large");
    // Under the limit in UTF-16 code units, over it in UTF-8 bytes.
    expect(reasonFor("汉".repeat(Math.ceil(MAX_SEED_BYTES / 3) + 10))).toBe("too-large");
  });

  it("binary garbage", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expect(reasonFor(png)).toBe("binary");
    expect(reasonFor(`${good.toString("utf8").slice(0, 100)}\u0000\u0000`)).toBe("binary");
    const controls = Buffer.from(`${seed(`${DATE_LINE}<p>text</p>`)}${"\u0001\u0002\u0003".repeat(200)}`);
    expect(reasonFor(controls)).toBe("binary");
  });

  it("invalid UTF-8: a stray byte, a character cut in half, a lone surrogate in a string", () => {
    const at = good.indexOf("<p>") + 3;
    expect(reasonFor(Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at)]))).toBe("invalid-utf8");
    // The first Chinese character of the first paragraph is 3 bytes; keep only 2 of them.
    expect(reasonFor(Buffer.concat([good.subarray(0, at + 2), Buffer.from("</p>")]))).toBe("invalid-utf8");
    expect(reasonFor(`${good.toString("utf8")}\ud800`)).toBe("invalid-utf8");
    const err = rejection(Buffer.from([0x5b, 0xc3, 0x28]));
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it("no title, no url, a non-http URL", () => {
    expect(reasonFor(`${DATE_LINE}<p>body only</p>`)).toBe("no-title");
    expect(reasonFor(seed(`${DATE_LINE}<p>x</p>`, { title: "  " }))).toBe("no-title");
    expect(reasonFor(`---\ntitle: "Only a title"\n---\n${DATE_LINE}<p>x</p>`)).toBe("no-url");
    expect(reasonFor(seed(`${DATE_LINE}<p>x</p>`, { url: "ftp://example.com/a" }))).toBe("bad-url");
    expect(reasonFor(seed(`${DATE_LINE}<p>x</p>`, { url: "javascript:alert(1)" }))).toBe("bad-url");
    expect(reasonFor(seed(`${DATE_LINE}<p>x</p>`, { url: "/relative/path" }))).toBe("bad-url");
  });

  it("no body: nothing, only the date line, only scripts and comments", () => {
    expect(reasonFor(seed(""))).toBe("no-body");
    expect(reasonFor(seed(DATE_LINE))).toBe("no-body");
    expect(reasonFor(seed(`${DATE_LINE}<script>var x = "text";</script><style>p{}</style><!-- note --><p> &nbsp; </p>`))).toBe(
      "no-body",
    );
  });

  it("no date anywhere, or only unreadable ones", () => {
    expect(reasonFor(seed("<p>text</p>", { comment: null }))).toBe("no-date");
    const bad = rejection(seed("<div><i>Sun, 45 Nov 2023 05:15:52 GMT</i></div><p>text</p>", { comment: "not a number" }));
    expect(bad.reason).toBe("bad-date");
    expect(bad.message).toContain("not a number");
    expect(reasonFor(seed("<p>text</p>", { comment: "99999999999999" }))).toBe("bad-date");
  });

  it("names the file and the reason in the message", () => {
    const err = rejection(new Uint8Array(0), "seeds/2020/empty.txt");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("SeedError");
    expect(err.file).toBe("seeds/2020/empty.txt");
    expect(err.message).toBe("seeds/2020/empty.txt: the file is empty");
  });

  it("wraps anything unexpected as reason 'internal', keeping the cause", () => {
    const err = rejection(42 as unknown as string);
    expect(err.reason).toBe("internal");
    expect(err.cause).toBeInstanceOf(Error);
  });
});

describe("parseArticle accepts the variants real files hold", () => {
  const good = raw("seed.txt");
  const expected = parseArticle(good, "seed.txt");

  it("CRLF line ends", () => {
    expect(parseArticle(good.toString("utf8").replace(/\n/g, "\r\n"), "crlf.txt")).toEqual(expected);
  });

  it("a BOM, in bytes and in a string", () => {
    expect(parseArticle(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good]), "bom.txt")).toEqual(expected);
    expect(parseArticle(`\ufeff${good.toString("utf8")}`, "bom.txt")).toEqual(expected);
  });

  it("truncated HTML still parses when title, URL and some body exist", () => {
    const text = good.toString("utf8");
    const cut = text.slice(0, text.indexOf("</p>", text.indexOf("</p>") + 4) + 20);
    const article = parseArticle(cut, "cut.txt");
    expect(article.blocks.length).toBe(3);
    expect(article.blocks.slice(0, 2)).toEqual(expected.blocks.slice(0, 2));
    expect(expected.blocks[2]?.text.startsWith(article.blocks[2]?.text ?? "?")).toBe(true);
    // Cut inside a tag: still fine.
    expect(parseArticle(`${text.slice(0, text.indexOf("<p>") + 40)}<str`, "cut2.txt").blocks.length).toBe(1);
  });

  it("titles with [ ] ( and URLs with ( )", () => {
    const article = parseArticle(
      seed(`${DATE_LINE}<p>x</p>`, { title: "[國際] 李寶康鼓勵銀髮重訓[影] (上", url: "https://en.wikipedia.org/wiki/Foo_(bar)" }),
      "t.txt",
    );
    expect(article.title).toBe("[國際] 李寶康鼓勵銀髮重訓[影] (上");
    expect(article.url).toBe("https://en.wikipedia.org/wiki/Foo_(bar)");
    const tricky = parseArticle(seed(`${DATE_LINE}<p>x</p>`, { title: "See [this](https://a.example/x) now" }), "t.txt");
    expect(tricky.title).toBe("See [this](https://a.example/x) now");
    expect(tricky.url).toBe("https://www.voachinese.com/a/x/1.html");
  });

  it("YAML front matter before the comment, body wrapped in a multi-line <div>", () => {
    const text = [
      "---",
      "layout: post",
      'title: "前置 \\"标题\\""',
      "date: 2020-08-04T05:41:24.000Z",
      "author: 美国之音",
      "from: https://www.voachinese.com/a/front-matter/1.html",
      "tags: [ 美国之音 ]",
      "---",
      "<!--1596519684000-->",
      "[链接标题](https://www.voachinese.com/a/front-matter/1.html)",
      "------",
      "",
      "<div>",
      "<div><i>Tue, 04 Aug 2020 05:34:36 GMT</i></div><p>第一段。</p>",
      "<p>第二段。</p>",
      "</div>",
    ].join("\n");
    const article = parseArticle(text, "fm.md");
    expect(article).toMatchObject({
      title: "链接标题",
      source: "美国之音",
      publishedAt: Date.parse("2020-08-04T05:34:36Z"),
      archivedAt: 1596519684000,
    });
    expect(article.blocks.map((b) => b.text)).toEqual(["第一段。", "第二段。"]);
  });

  it("date lines: RFC 1123, ISO 8601, a byline + China-time stamp, RFI's Paris time, a Chinese date", () => {
    const at = (line: string) => parseArticle(seed(`${line}<p>正文</p>`, { comment: "1600000000000" }), "d.txt").publishedAt;
    expect(at("<div><i>Sun, 19 Nov 2023 05:15:52 GMT</i></div>")).toBe(Date.parse("2023-11-19T05:15:52Z"));
    expect(at("<div><i>2021-01-12T07:36:06.163Z</i></div>")).toBe(Date.parse("2021-01-12T07:36:06.163Z"));
    expect(at("<div><i>  张筠青（摘编）<br>2020-10-31T14:23:12.080Z</i></div>")).toBe(Date.parse("2020-10-31T14:23:12.080Z"));
    expect(at("<div><i>MUKTITA SUHARTONO<br>2020-10-22 11:44:11</i></div>")).toBe(Date.parse("2020-10-22T11:44:11+08:00"));
    // Paris is UTC+1 in winter and UTC+2 in summer.
    expect(at("<div>24/12/2020 - 09:44</div>")).toBe(Date.parse("2020-12-24T09:44:00+01:00"));
    expect(at("<div>\n<div>27/08/2020 - 15:05</div></div>")).toBe(Date.parse("2020-08-27T15:05:00+02:00"));
    // Day-only: not precise enough; the comment is used and the line is still not body.
    const dayOnly = parseArticle(seed("<div><i>2020年 7月 20日</i></div><p>正文</p>", { comment: "1595241918000" }), "d.txt");
    expect(dayOnly.publishedAt).toBe(1595241918000);
    expect(dayOnly.blocks.map((b) => b.text)).toEqual(["正文"]);
  });

  it("Paris time follows the EU summer-time switch (checked against Intl's tz database)", () => {
    const parisOffsetMinutes = (ms: number): number => {
      const parts = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Paris", hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" }).formatToParts(ms);
      const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
      return (Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute")) - ms) / 60_000;
    };
    for (const [day, time] of [["28/03/2021", "01:59"], ["28/03/2021", "03:00"], ["31/10/2021", "01:59"], ["31/10/2021", "03:00"], ["15/07/2020", "12:00"], ["15/01/2020", "12:00"]] as const) {
      const ms = parseDateLine(`${day} - ${time}`);
      expect(ms).not.toBeNull();
      const [d, m, y] = day.split("/");
      const wall = Date.parse(`${y}-${m}-${d}T${time}:00Z`);
      expect(wall - (ms ?? 0)).toBe(parisOffsetMinutes(ms ?? 0) * 60_000);
    }
  });

  it("date fallbacks: front matter date:, then the comment", () => {
    const fm = "---\ntitle: T\nfrom: https://www.zaobao.com/a/1\ndate: 2020-11-24T11:54:00.000Z\n---\n";
    expect(parseArticle(`${fm}<!--1606218840000-->\n[T](https://www.zaobao.com/a/1)\n------\n\n<div>\n<p>正文</p>\n</div>`, "f.md").publishedAt).toBe(
      Date.parse("2020-11-24T11:54:00Z"),
    );
    expect(parseArticle(seed("<div>\n<p>正文</p>\n</div>", { comment: "1606218840000" }), "c.txt").publishedAt).toBe(1606218840000);
    expect(parseFrontMatterDate("2020-02-20T13:24:26+00:00")).toBe(Date.parse("2020-02-20T13:24:26Z"));
    expect(parseFrontMatterDate("2020-02-31T13:24:26Z")).toBeNull();
  });

  it("a whole page in an <article class=…> layout: title and URL from front matter, only entry-content is body", () => {
    const text = [
      "---",
      'title: "页面标题"',
      "date: 2020-02-20T13:24:26+00:00",
      "author: Nei.st",
      "from: https://nei.st/medium/initium/page",
      "---",
      "",
      '<article class="post-1 post type-post">',
      ' <header class="page-header"><h1 class="page-title">页面标题</h1></header>',
      ' <div class="entry-content">',
      '  <link rel="preload" href="//cdn.example/font.woff"/>',
      '  <div class="container js-postMetaLockup"><a href="//nei.st">端傳媒 Initium Media</a><time>Dec 11th 2019</time></div>',
      '  <div class="container img"><img src="//cdn.example/lead.jpg"/><figure><figcaption><p class="aesop-cap-description">图片说明</p></figcaption></figure></div>',
      "  <p>\n   第一段。\n  </p>",
      "  <h2>小标题</h2>",
      '  <div class="code-block"><div class="ads_x">广告</div></div>',
      "  <p>第二段。</p>",
      " </div>",
      ' <footer class="entry-footer"><a href="/c">Initium Media</a></footer>',
      "</article>",
    ].join("\n");
    const article = parseArticle(text, "page.md");
    expect(article).toMatchObject({
      title: "页面标题",
      url: "https://nei.st/medium/initium/page",
      archivedAt: null,
      publishedAt: Date.parse("2020-02-20T13:24:26Z"),
    });
    expect(article.image).toEqual({ url: "https://cdn.example/lead.jpg", caption: "图片说明" });
    expect(article.blocks.map((b) => [b.kind, b.text])).toEqual([
      ["paragraph", "第一段。"],
      ["heading", "小标题"],
      ["paragraph", "第二段。"],
    ]);
  });

  it("text outside <p> becomes blocks in order; scripts, styles, comments and chrome do not", () => {
    const article = parseArticle(
      seed(
        `${DATE_LINE}<div>\n开头的裸文本<a href="https://x.example">链接</a>。<br>第二行\n</div>` +
          "<p>段落一</p><ul><li>要点一</li><li>要点<b>二</b></li></ul>" +
          "<blockquote>引文</blockquote><h2>二级标题</h2><script>document.write('脚本')</script><style>.a{}</style>" +
          '<!-- 注释 --><nav>导航</nav><div class="share-bar">分享</div><span class="off-screen">图片版权</span>' +
          "<table><tr><td>单元格</td></tr></table><p>段落&nbsp;&amp;&#x4E8C;</p>",
      ),
      "loose.txt",
    );
    expect(article.blocks.map((b) => b.text)).toEqual([
      "开头的裸文本链接。",
      "第二行",
      "段落一",
      "要点一",
      "要点二",
      "引文",
      "二级标题",
      "单元格",
      "段落 &二",
    ]);
    expect(article.blocks[0]?.html).toBe('开头的裸文本<a href="https://x.example">链接</a>。');
    expect(article.blocks[4]?.html).toBe("要点<b>二</b>");
    expect(article.blocks[6]?.kind).toBe("heading");
    expect(article.blocks[8]?.html).toBe("段落&nbsp;&amp;&#x4E8C;");
  });

  it("comments and scripts inside a <p> are cut from its html, and its text", () => {
    const article = parseArticle(seed(`${DATE_LINE}<p>前<!-- x --><script>y()</script>后</p>`), "c.txt");
    expect(article.blocks).toEqual([{ kind: "paragraph", text: "前后", html: "前后" }]);
  });

  it("empty <p>s hold no block; bold ledes stay paragraphs", () => {
    const article = parseArticle(
      seed(`${DATE_LINE}<p></p><p><strong>一句加粗的导语。</strong></p><p><b>小标题：观点</b></p><p><strong>加粗</strong>和普通</p>`),
      "b.txt",
    );
    expect(article.blocks.map((b) => b.kind)).toEqual(["paragraph", "heading", "paragraph"]);
  });

  it("a caption under a video or player is not body; the video poster is the image", () => {
    const article = parseArticle(
      seed(
        `${DATE_LINE}<video poster="https://img.example/p.jpg" src="https://av.example/v.mp4" controls></video><div><small>视频说明</small></div>` +
          '<audio src="https://av.example/a.mp3" controls></audio><div><small>音频说明</small></div><p>正文</p>',
      ),
      "v.txt",
    );
    expect(article.image).toEqual({ url: "https://img.example/p.jpg", caption: "视频说明" });
    expect(article.blocks.map((b) => b.text)).toEqual(["正文"]);
  });

  it("detects Simplified, Traditional, English and other text", () => {
    const lang = (body: string) => parseArticle(seed(`${DATE_LINE}${body}`), "l.txt").lang;
    expect(lang("<p>这是一个关于经济发展的报道，专家认为问题还没有解决。</p>")).toBe("zh-Hans");
    expect(lang("<p>這是一個關於經濟發展的報導，專家認為問題還沒有解決。</p>")).toBe("zh-Hant");
    expect(lang("<p>The minister said that the talks would resume in the spring.</p>")).toBe("en");
    expect(lang("<p>これは日本語の記事です。専門家によると、問題はまだ解決していません。</p>")).toBe("other");
    expect(lang("<p>Der Minister sagte, dass die Gespräche im Frühjahr fortgesetzt würden.</p>")).toBe("other");
  });

  it("source: front matter author, else the outlet of a known host, else the bare host", () => {
    const source = (url: string) => parseArticle(seed(`${DATE_LINE}<p>x</p>`, { url }), "s.txt").source;
    expect(source("https://www.cna.com.tw/news/1.aspx")).toBe("CNA (Central News Agency, Taiwan)");
    expect(source("https://cn.nytimes.com/china/1/")).toBe("NYT Chinese");
    expect(source("https://www.nytimes.com/2020/1.html")).toBe("The New York Times");
    expect(source("https://www.example.org/a")).toBe("example.org");
  });

  it("reads date lines strictly", () => {
    expect(parseDateLine("Sun, 19 Nov 2023 05:15:52 +0800")).toBe(Date.parse("2023-11-18T21:15:52Z"));
    expect(parseDateLine("31/04/2020 - 10:00")).toBeNull();
    expect(parseDateLine("2020-10-22")).toBeNull();
    expect(parseDateLine("Sun, 19 Nov 2023 25:15:52 GMT")).toBeNull();
    expect(parseDateLine("1 Jan 1970 00:00:00 GMT")).toBeNull();
  });
});
