import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArticle } from "../../digest/article.js";
import { bestQuote, composeDigest, InvalidTimeZoneError, LEAD_MAX_CHARS, leadOf, QUOTE_MAX_CHARS, splitSentences } from "../../digest/compose.js";
import { SeedError } from "../../digest/errors.js";
import { extractQuotes } from "../../digest/quotes.js";
import type { StoredArticle } from "../../digest/store/ports.js";
import type { QuoteSet } from "../../digest/types.js";
import { ARCHIVE_DIR, CORPUS_DIR } from "../helpers/corpus.js";

const T0 = Date.UTC(2026, 10, 26, 8);
const codePoints = (s: string): number => [...s].length;
/** Ends with a sentence mark (and closing quotes), or with the "…" of a cut. */
const SENTENCE_END = /(?:[。！？.!?…]|\.\.\.)[”’」』）)"'》]*$/u;

/** Every annotated corpus article, parsed and with its quotes extracted, in file order as seq 1…n. */
function corpusArticles(): StoredArticle[] {
  const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith(".txt")).sort();
  return files.map((file, i) => {
    const article = parseArticle(readFileSync(join(CORPUS_DIR, file)), file);
    return { article, quotes: extractQuotes(article), seq: i + 1, ingestedAt: T0 - 3_600_000, updatedAt: T0 - 3_600_000 };
  });
}

const corpus = corpusArticles();

/** The article's paragraph text with all whitespace removed, for prefix checks. */
const bodyWithoutSpaces = (stored: StoredArticle): string =>
  stored.article.blocks
    .filter((b) => b.kind === "paragraph")
    .map((b) => b.text)
    .join("")
    .replace(/\s+/gu, "");

describe("composeDigest on real corpus articles", () => {
  it("returns null when nothing is new", () => {
    expect(composeDigest([], { now: T0, tz: "UTC", max: 10 })).toBeNull();
  });

  it("covers every new article: caps items at max, counts the rest in `more`, and ends at the highest seq", () => {
    expect(corpus.length).toBeGreaterThan(20);
    const digest = composeDigest(corpus, { now: T0, tz: "UTC", max: 10 })!;
    expect(digest.header.count).toBe(corpus.length);
    expect(digest.items).toHaveLength(10);
    expect(digest.more).toBe(corpus.length - 10);
    expect(digest.lastSeq).toBe(Math.max(...corpus.map((s) => s.seq)));
    expect(digest.createdAt).toBe(T0);

    // The items are the ten most recently published, newest first.
    const publishedTimes = digest.items.map((i) => i.publishedAt);
    expect(publishedTimes).toEqual([...publishedTimes].sort((a, b) => b - a));
    const tenthNewest = corpus.map((s) => s.article.publishedAt).sort((a, b) => b - a)[9]!;
    expect(digest.items.every((i) => i.publishedAt >= tenthNewest)).toBe(true);
    for (const item of digest.items) {
      const source = corpus.find((s) => s.article.id === item.articleId)!.article;
      expect(item).toMatchObject({ title: source.title, url: source.url, source: source.source, publishedAt: source.publishedAt });
    }

    const all = composeDigest(corpus, { now: T0, tz: "UTC", max: 100 })!;
    expect(all.items).toHaveLength(corpus.length);
    expect(all.more).toBe(0);
    const one = composeDigest(corpus.slice(3, 4), { now: T0, tz: "UTC", max: 10 })!;
    expect(one).toMatchObject({ header: { count: 1 }, more: 0, lastSeq: 4 });
  });

  it("gives every article a lead of one or two sentences from the start of its body, ending at a sentence end", () => {
    const digest = composeDigest(corpus, { now: T0, tz: "UTC", max: 100 })!;
    for (const item of digest.items) {
      const stored = corpus.find((s) => s.article.id === item.articleId)!;
      expect(item.lead.length, item.articleId).toBeGreaterThan(0);
      expect(codePoints(item.lead), item.lead).toBeLessThanOrEqual(LEAD_MAX_CHARS);
      expect(item.lead, item.lead).toMatch(SENTENCE_END);
      const leadText = item.lead.replace(/…$/u, "").replace(/\s+/gu, "");
      expect(bodyWithoutSpaces(stored).startsWith(leadText), item.lead).toBe(true);
      // At most two sentences, unless a single over-long first sentence was cut.
      expect(splitSentences(item.lead).length, item.lead).toBeLessThanOrEqual(2);
    }
  });

  it("takes a second sentence when it fits, and stops before one that would pass the limit", () => {
    for (const stored of corpus) {
      const lead = leadOf(stored.article);
      const firstParagraph = stored.article.blocks.find((b) => b.kind === "paragraph")!.text;
      const sentences = splitSentences(firstParagraph);
      const first = sentences[0]!;
      if (codePoints(first) > LEAD_MAX_CHARS) {
        expect(lead.endsWith("…")).toBe(true);
        continue;
      }
      expect(lead.startsWith(first)).toBe(true);
      const second = sentences[1];
      if (second !== undefined) {
        const bothFit = codePoints(first) + codePoints(second) + 1 <= LEAD_MAX_CHARS;
        if (bothFit) expect(lead.replace(/\s+/gu, "")).toBe((first + second).replace(/\s+/gu, ""));
        if (codePoints(first) + codePoints(second) > LEAD_MAX_CHARS) expect(lead).toBe(first);
      }
    }
  });

  it("picks for each article an expert quote of that article, with the speaker's name and role", () => {
    const digest = composeDigest(corpus, { now: T0, tz: "UTC", max: 100 })!;
    let withQuote = 0;
    for (const item of digest.items) {
      const quotes = corpus.find((s) => s.article.id === item.articleId)!.quotes!;
      if (item.quote === null) {
        expect(quotes.quotes.some((q) => quotes.experts.some((e) => e.key === q.speaker))).toBe(false);
        continue;
      }
      withQuote += 1;
      const expert = quotes.experts.find((e) => e.name === item.quote!.speaker);
      expect(expert, item.quote.speaker).toBeDefined();
      expect(item.quote.role).toBe(expert!.role.trim());
      expect(codePoints(item.quote.text)).toBeLessThanOrEqual(QUOTE_MAX_CHARS);
      const words = item.quote.text.replace(/…$/u, "");
      expect(quotes.quotes.some((q) => q.speaker === expert!.key && q.text.includes(words)), item.quote.text).toBe(true);

      // When the article has a direct quote by an expert with a role that fits, that kind is chosen.
      const ideal = quotes.quotes.some((q) => {
        const e = quotes.experts.find((x) => x.key === q.speaker);
        const n = codePoints(q.text.trim());
        return q.kind === "direct" && e !== undefined && e.role.trim() !== "" && n >= 12 && n <= QUOTE_MAX_CHARS;
      });
      if (ideal) {
        expect(item.quote.kind).toBe("direct");
        expect(item.quote.role).not.toBe("");
      }
    }
    expect(withQuote).toBeGreaterThan(corpus.length / 2);
  });

  it("dates the header and times the items in the given time zone", () => {
    // 2026-11-26 20:30 UTC is already the 27th in Taipei (UTC+8) and still the 26th in Los Angeles.
    const now = Date.UTC(2026, 10, 26, 20, 30);
    const zones = ["UTC", "Asia/Taipei", "America/Los_Angeles", "Asia/Kolkata"];
    const digests = zones.map((tz) => composeDigest(corpus, { now, tz, max: 5 })!);
    expect(digests.map((d) => d.header.date)).toEqual(["2026-11-26", "2026-11-27", "2026-11-26", "2026-11-27"]);

    for (const [z, tz] of zones.entries()) {
      const clock = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
      for (const item of digests[z]!.items) expect(item.localTime).toBe(clock.format(item.publishedAt));
    }
    // Same articles, same order: only the times differ.
    expect(digests[1]!.items.map((i) => i.articleId)).toEqual(digests[0]!.items.map((i) => i.articleId));
    expect(digests[1]!.items.map((i) => i.localTime)).not.toEqual(digests[0]!.items.map((i) => i.localTime));
  });

  it("gives the same id for the same articles, whatever their order, the time or the zone; another set, another id", () => {
    const base = composeDigest(corpus, { now: T0, tz: "UTC", max: 10 })!;
    const shuffled = [...corpus].reverse();
    expect(composeDigest(shuffled, { now: T0 + 86_400_000, tz: "Asia/Taipei", max: 10 })!.id).toBe(base.id);
    expect(composeDigest(corpus, { now: T0, tz: "UTC", max: 10 })).toEqual(base);
    expect(composeDigest(corpus.slice(1), { now: T0, tz: "UTC", max: 10 })!.id).not.toBe(base.id);
    expect(composeDigest(corpus.slice(0, -1), { now: T0, tz: "UTC", max: 10 })!.id).not.toBe(base.id);
    const renumbered = corpus.map((s) => ({ ...s, seq: s.seq + 100 }));
    expect(composeDigest(renumbered, { now: T0, tz: "UTC", max: 10 })!.id).not.toBe(base.id);
    expect(base.id).toMatch(/^[0-9a-f]{16}$/u);
  });

  it("counts an article given twice once", () => {
    const twice = [...corpus.slice(0, 3), { ...corpus[1]!, seq: 40 }];
    const digest = composeDigest(twice, { now: T0, tz: "UTC", max: 10 })!;
    expect(digest.header.count).toBe(3);
    expect(digest.lastSeq).toBe(40);
  });

  it("refuses an unknown time zone and a max below one", () => {
    expect(() => composeDigest(corpus, { now: T0, tz: "Mars/Olympus_Mons", max: 10 })).toThrow(InvalidTimeZoneError);
    expect(() => composeDigest(corpus, { now: T0, tz: "", max: 10 })).toThrow(InvalidTimeZoneError);
    expect(() => composeDigest(corpus, { now: T0, tz: "UTC", max: 0 })).toThrow(RangeError);
    expect(() => composeDigest(corpus, { now: T0, tz: "UTC", max: 2.5 })).toThrow(RangeError);
  });

  it("composes the 300 archive posts: every lead non-empty, short, and ending at a sentence end", () => {
    const stored: StoredArticle[] = [];
    for (const file of readdirSync(ARCHIVE_DIR).filter((f) => f.endsWith(".md")).sort()) {
      try {
        const article = parseArticle(readFileSync(join(ARCHIVE_DIR, file)), file);
        stored.push({ article, quotes: extractQuotes(article), seq: stored.length + 1, ingestedAt: T0, updatedAt: T0 });
      } catch (error) {
        if (!(error instanceof SeedError)) throw error;
      }
    }
    expect(stored.length).toBeGreaterThan(250);
    const started = performance.now();
    const digest = composeDigest(stored, { now: T0, tz: "Asia/Shanghai", max: stored.length })!;
    const ms = performance.now() - started;
    console.info(`[compose] ${stored.length} archive articles → one digest in ${ms.toFixed(1)} ms`);
    expect(digest.items).toHaveLength(stored.length);
    for (const item of digest.items) {
      expect(item.lead.length, item.articleId).toBeGreaterThan(0);
      expect(codePoints(item.lead)).toBeLessThanOrEqual(LEAD_MAX_CHARS);
      if (item.quote) expect(codePoints(item.quote.text)).toBeLessThanOrEqual(QUOTE_MAX_CHARS);
    }
    const endingWell = digest.items.filter((i) => SENTENCE_END.test(i.lead)).length;
    // Briefs of one unpunctuated line exist in the archive; nearly every lead still ends cleanly.
    expect(endingWell / digest.items.length).toBeGreaterThan(0.95);
  });
});

describe("splitSentences", () => {
  it("splits Chinese at 。！？ and keeps a closing quote with its sentence", () => {
    expect(splitSentences("经济放缓。他说：“我们要小心。”市场下跌！为什么？")).toEqual([
      "经济放缓。",
      "他说：“我们要小心。”",
      "市场下跌！",
      "为什么？",
    ]);
  });

  it("does not split inside a quotation that goes on after 。", () => {
    expect(splitSentences("他说：“第一点。第二点。”随后离开。")).toEqual(["他说：“第一点。第二点。”", "随后离开。"]);
    expect(splitSentences("「這是挑釁。」他表示，捷克不會退讓。")).toEqual(["「這是挑釁。」", "他表示，捷克不會退讓。"]);
  });

  it("falls back to plain marks when a quotation never closes", () => {
    expect(splitSentences("他说：“第一点。第二点。第三点。")).toEqual(["他说：“第一点。", "第二点。", "第三点。"]);
  });

  it("splits English before a capital, but not after Mr., initials, U.S. or inside numbers", () => {
    expect(splitSentences("Mr. Smith met George W. Bush in the U.S. on Monday. Growth was 3.5 per cent. Why? “Because,” he said.")).toEqual([
      "Mr. Smith met George W. Bush in the U.S. on Monday.",
      "Growth was 3.5 per cent.",
      "Why?",
      "“Because,” he said.",
    ]);
    expect(splitSentences("America’s economy grew. It’s true.")).toEqual(["America’s economy grew.", "It’s true."]);
  });
});

describe("leadOf", () => {
  const block = (text: string, kind: "paragraph" | "heading" = "paragraph") => ({ kind, text, html: text });

  it("skips headings and cuts an over-long first sentence at a clause boundary with …", () => {
    const long = `${"这是一个很长的从句".repeat(20)}，${"还有更多内容".repeat(15)}。`;
    const lead = leadOf({ blocks: [block("标题", "heading"), block(long)] });
    expect(codePoints(lead)).toBeLessThanOrEqual(LEAD_MAX_CHARS);
    expect(lead.endsWith("…")).toBe(true);
    expect(long.startsWith(lead.slice(0, -1))).toBe(true);
    expect(lead).not.toContain("标题");
  });

  it("continues into the next paragraph when the first holds a single short sentence", () => {
    expect(leadOf({ blocks: [block("第一句。"), block("第二句。第三句。")] })).toBe("第一句。第二句。");
    expect(leadOf({ blocks: [block("First one."), block("Second one. Third.")] })).toBe("First one. Second one.");
  });
});

describe("bestQuote", () => {
  const quoteSet = (entries: Array<{ key: string; role: string; text: string; kind: "direct" | "indirect"; paragraph?: number }>): QuoteSet => ({
    experts: [...new Set(entries.map((e) => e.key))].map((key) => ({
      key,
      name: `${key}先生`,
      aliases: [],
      role: entries.find((e) => e.key === key)!.role,
    })),
    quotes: entries.map((e, i) => ({ speaker: e.key, text: e.text, kind: e.kind, paragraph: e.paragraph ?? i, cue: "说" })),
    others: [{ speaker: "外交部", text: "中方坚决反对任何形式的干涉，这一立场是一贯的、明确的。", kind: "direct", paragraph: 9, cue: "表示" }],
  });

  it("prefers a direct quote by an expert with a role over a longer reported one", () => {
    const best = bestQuote(
      quoteSet([
        { key: "a", role: "教授", text: "这是一个很长的间接引语，讲述了许多背景情况和分析细节，篇幅明显更长一些。", kind: "indirect" },
        { key: "b", role: "研究员", text: "供应链合作会让两国都更安全。", kind: "direct" },
        { key: "c", role: "", text: "没有头衔的人说的直接引语，同样很有内容也更长一些。", kind: "direct" },
      ]),
    );
    expect(best).toEqual({ text: "供应链合作会让两国都更安全。", kind: "direct", speaker: "b先生", role: "研究员" });
  });

  it("prefers the longer of two fitting quotes, and one that fits over one that must be cut", () => {
    const long = "第一句话很长很长。".repeat(30);
    const best = bestQuote(
      quoteSet([
        { key: "a", role: "教授", text: long, kind: "direct" },
        { key: "b", role: "教授", text: "较短但完整的一句直接引语。", kind: "direct" },
        { key: "c", role: "教授", text: "较长而且完整的一句直接引语，内容更丰富。", kind: "direct" },
      ]),
    );
    expect(best?.speaker).toBe("c先生");
    const onlyLong = bestQuote(quoteSet([{ key: "a", role: "教授", text: long, kind: "direct" }]));
    expect(codePoints(onlyLong!.text)).toBeLessThanOrEqual(QUOTE_MAX_CHARS);
    expect(onlyLong!.text.endsWith("。…")).toBe(true);
  });

  it("passes over a two-word phrase when a real statement exists, and never picks an organisation", () => {
    const best = bestQuote(
      quoteSet([
        { key: "a", role: "部长", text: "公开挑衅", kind: "direct" },
        { key: "b", role: "", text: "这次访问将带来长期的经济利益和合作机会。", kind: "indirect" },
      ]),
    );
    expect(best?.speaker).toBe("b先生");
    expect(bestQuote({ experts: [], quotes: [], others: quoteSet([]).others })).toBeNull();
    expect(bestQuote(null)).toBeNull();
  });
});
