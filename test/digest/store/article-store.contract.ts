/**
 * The ArticleStore contract: every adapter must pass this same suite. Call it from a test file with
 * a factory that returns a fresh, empty store for each test.
 */
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Article, QuoteSet } from "../../../digest/types.js";
import type { ArticleStore, StoredArticle } from "../../../digest/store/ports.js";
import { StoreClosedError } from "../../../digest/store/errors.js";

type ArticleContent = Omit<Article, "id" | "contentHash">;

/** A hand-built article; the hash covers the content, as the parser's does. */
export function makeArticle(url: string, overrides: Partial<ArticleContent> = {}): Article {
  const content: ArticleContent = {
    url,
    title: `标题 ${url}`,
    publishedAt: Date.UTC(2023, 10, 19, 5, 15, 52),
    archivedAt: 1700372342000,
    source: "VOA",
    lang: "zh-Hans",
    image: { url: `${url}/cover.jpg`, caption: "資料照：北京的街道" },
    blocks: [
      { kind: "paragraph", text: "中国经济学家曹良铉对美国之音说：“经济正在放缓。”", html: "中国经济学家曹良铉对美国之音说：“经济正在放缓。”" },
      { kind: "heading", text: "背景", html: "<strong>背景</strong>" },
      { kind: "paragraph", text: "硏究员 Ryuta Ito 表示&nbsp;😀 …", html: "硏究员 Ryuta Ito 表示&amp;nbsp;😀 …" },
    ],
    ...overrides,
  };
  const id = createHash("sha256").update(url).digest("hex").slice(0, 8);
  const contentHash = createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 16);
  return { id, contentHash, ...content };
}

export function makeQuotes(speakerName: string): QuoteSet {
  const key = speakerName.toLowerCase();
  return {
    experts: [{ key, name: speakerName, aliases: ["曹教授", "曹良鉉"], role: "经济学家" }],
    quotes: [{ speaker: key, text: "经济正在放缓。", kind: "direct", paragraph: 0, cue: "说" }],
    others: [{ speaker: "外交部", text: "中方一贯反对", kind: "indirect", paragraph: 2, cue: "表示" }],
  };
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

export function runArticleStoreContract(adapter: string, makeStore: () => Promise<ArticleStore> | ArticleStore): void {
  describe(`ArticleStore contract: ${adapter}`, () => {
    let store: ArticleStore;
    const fresh = async (): Promise<ArticleStore> => (store = await makeStore());
    afterEach(async () => {
      await store.close();
    });

    it("round-trips an article and its quotes exactly", async () => {
      const s = await fresh();
      const article = makeArticle("https://www.voanews.com/a/1");
      const quotes = makeQuotes("曹良铉");
      expect(await s.put(article, quotes, T0)).toBe("added");
      const stored = await s.get(article.id);
      expect(stored).toEqual({ article, quotes, seq: 1, ingestedAt: T0, updatedAt: T0 });
      expect(await s.get("zzzzzzzz")).toBeUndefined();
    });

    it("keeps quotes null as null, and an article without image", async () => {
      const s = await fresh();
      const article = makeArticle("https://example.org/en", { lang: "en", image: null, archivedAt: null, title: "A [bracketed] (title)" });
      await s.put(article, null, T0);
      expect(await s.get(article.id)).toEqual({ article, quotes: null, seq: 1, ingestedAt: T0, updatedAt: T0 });
    });

    it("reports added, then unchanged for the same hash, then updated for a new hash", async () => {
      const s = await fresh();
      const first = makeArticle("https://a.example/1");
      expect(await s.put(first, null, T0)).toBe("added");
      expect(await s.put(first, null, T0 + HOUR)).toBe("unchanged");
      expect((await s.get(first.id))?.updatedAt).toBe(T0);

      const edited = makeArticle("https://a.example/1", { title: "更正后的标题" });
      expect(edited.id).toBe(first.id);
      expect(await s.put(edited, null, T0 + 2 * HOUR)).toBe("updated");
      expect(await s.get(first.id)).toEqual({ article: edited, quotes: null, seq: 1, ingestedAt: T0, updatedAt: T0 + 2 * HOUR });
    });

    it("counts quotes arriving for an unchanged article as an update, but never drops them for null", async () => {
      const s = await fresh();
      const article = makeArticle("https://a.example/q");
      const quotes = makeQuotes("曹良铉");
      await s.put(article, null, T0);
      expect(await s.put(article, quotes, T0 + HOUR)).toBe("updated");
      expect(await s.get(article.id)).toEqual({ article, quotes, seq: 1, ingestedAt: T0, updatedAt: T0 + HOUR });
      expect(await s.put(article, quotes, T0 + 2 * HOUR)).toBe("unchanged");
      expect(await s.put(article, null, T0 + 3 * HOUR)).toBe("unchanged");
      expect((await s.get(article.id))?.quotes).toEqual(quotes);
    });

    it("replaces an article's quotes with setQuotes, keeping seq, article and updatedAt; false for an unknown id", async () => {
      const s = await fresh();
      const article = makeArticle("https://a.example/re");
      const later = makeArticle("https://a.example/later");
      await s.put(article, makeQuotes("曹良铉"), T0);
      await s.put(later, null, T0 + HOUR);
      const fresher = { ...makeQuotes("伊藤隆太"), extractor: "test-2" };
      expect(await s.setQuotes(article.id, article.contentHash, fresher)).toBe(true);
      expect(await s.get(article.id)).toEqual({ article, quotes: fresher, seq: 1, ingestedAt: T0, updatedAt: T0 });
      expect((await s.since(0, 10)).map((a) => a.article.id)).toEqual([article.id, later.id]);
      expect(await s.setQuotes("zzzzzzzz", article.contentHash, fresher)).toBe(false);
      expect(await s.get("zzzzzzzz")).toBeUndefined();
      expect(await s.count()).toBe(2);
    });

    it("numbers every add and update in changedSince, so an edit of an old article is seen after it", async () => {
      const s = await fresh();
      expect(await s.lastChange()).toBe(0);
      expect(await s.changedSince(0, 10)).toEqual([]);
      const [a, b, c] = ["1", "2", "3"].map((n) => makeArticle(`https://a.example/c${n}`));
      for (const [i, article] of [a!, b!, c!].entries()) await s.put(article, null, T0 + i);
      const ids = async (after: number, limit = 10) => (await s.changedSince(after, limit)).map((x) => [x.stored.article.id, x.change]);
      expect(await ids(0)).toEqual([[a!.id, 1], [b!.id, 2], [c!.id, 3]]);
      const seen = await s.lastChange();
      expect(seen).toBe(3);
      // Unchanged puts and setQuotes take no number; an edit of the first article takes the next one.
      await s.put(b!, null, T0 + HOUR);
      await s.setQuotes(c!.id, c!.contentHash, makeQuotes("曹良铉"));
      expect(await ids(seen)).toEqual([]);
      const editedA = makeArticle("https://a.example/c1", { title: "更正" });
      expect(await s.put(editedA, null, T0 + 2 * HOUR)).toBe("updated");
      const after = await s.changedSince(seen, 10);
      expect(after.map((x) => [x.stored.article.id, x.change])).toEqual([[a!.id, 4]]);
      expect(after[0]!.stored).toEqual({ article: editedA, quotes: null, seq: 1, ingestedAt: T0, updatedAt: T0 + 2 * HOUR });
      // The article appears once, at its last change; pages hold at most `limit`.
      expect(await ids(0)).toEqual([[b!.id, 2], [c!.id, 3], [a!.id, 4]]);
      expect(await ids(0, 2)).toEqual([[b!.id, 2], [c!.id, 3]]);
      expect(await ids(3, 0)).toEqual([]);
      expect(await s.lastChange()).toBe(4);
    });

    it("refuses setQuotes read from an older text: an edit stored meanwhile keeps its own quotes", async () => {
      const s = await fresh();
      const original = makeArticle("https://a.example/edited");
      await s.put(original, makeQuotes("曹良铉"), T0);
      // Another instance stores an edit while this one re-extracts the original text.
      const edited = makeArticle("https://a.example/edited", { title: "更正后的标题" });
      await s.put(edited, makeQuotes("伊藤隆太"), T0 + HOUR);
      expect(await s.setQuotes(original.id, original.contentHash, { ...makeQuotes("曹良铉"), extractor: "test-2" })).toBe(false);
      expect((await s.get(original.id))?.quotes).toEqual(makeQuotes("伊藤隆太"));
    });

    it("updates the same URL in place: one article, seq kept, later articles after it", async () => {
      const s = await fresh();
      const v1 = makeArticle("https://a.example/same");
      const other = makeArticle("https://a.example/other");
      await s.put(v1, null, T0);
      await s.put(other, null, T0 + 1);
      const v2 = makeArticle("https://a.example/same", { blocks: [{ kind: "paragraph", text: "新正文", html: "新正文" }] });
      expect(await s.put(v2, makeQuotes("X"), T0 + 2)).toBe("updated");
      expect(await s.count()).toBe(2);
      expect((await s.get(v1.id))?.seq).toBe(1);
      expect((await s.get(other.id))?.seq).toBe(2);
      expect(await s.lastSeq()).toBe(2);
      const third = makeArticle("https://a.example/third");
      await s.put(third, null, T0 + 3);
      expect((await s.get(third.id))?.seq).toBe(3);
    });

    it("lists latest newest first by publishedAt, ties by higher seq, and pages through them", async () => {
      const s = await fresh();
      // Ingest order deliberately differs from publication order, with ties on publishedAt.
      const published = [5, 1, 3, 3, 9, 1, 7, 3].map((h) => T0 + h * HOUR);
      const articles = published.map((publishedAt, i) => makeArticle(`https://a.example/l${i}`, { publishedAt }));
      for (const [i, a] of articles.entries()) await s.put(a, null, T0 + i);

      const expected = articles
        .map((article, i) => ({ id: article.id, publishedAt: article.publishedAt, seq: i + 1 }))
        .sort((a, b) => b.publishedAt - a.publishedAt || b.seq - a.seq)
        .map((a) => a.id);
      const ids = (list: StoredArticle[]): string[] => list.map((x) => x.article.id);

      expect(ids(await s.latest({ limit: 100 }))).toEqual(expected);
      const paged: string[] = [];
      for (let offset = 0; offset < articles.length; offset += 3) paged.push(...ids(await s.latest({ limit: 3, offset })));
      expect(paged).toEqual(expected);
      expect(ids(await s.latest({ limit: 2 }))).toEqual(expected.slice(0, 2));
      expect(await s.latest({ limit: 0 })).toEqual([]);
      expect(await s.latest({ limit: 5, offset: articles.length })).toEqual([]);
    });

    it("moves an article in latest() when an update changes its publishedAt", async () => {
      const s = await fresh();
      const old = makeArticle("https://a.example/old", { publishedAt: T0 });
      const recent = makeArticle("https://a.example/recent", { publishedAt: T0 + HOUR });
      await s.put(old, null, T0);
      await s.put(recent, null, T0);
      await s.put(makeArticle("https://a.example/old", { publishedAt: T0 + 2 * HOUR }), null, T0 + 1);
      expect((await s.latest({ limit: 10 })).map((x) => x.article.id)).toEqual([old.id, recent.id]);
    });

    it("counts distinct articles", async () => {
      const s = await fresh();
      expect(await s.count()).toBe(0);
      for (let i = 0; i < 5; i++) await s.put(makeArticle(`https://a.example/c${i}`), null, T0);
      await s.put(makeArticle("https://a.example/c0"), null, T0);
      expect(await s.count()).toBe(5);
    });

    it("returns articles since a cursor in ingest order, at most limit", async () => {
      const s = await fresh();
      expect(await s.since(0, 10)).toEqual([]);
      const articles = [9, 2, 7, 4, 5].map((h, i) => makeArticle(`https://a.example/s${i}`, { publishedAt: T0 + h * HOUR }));
      for (const [i, a] of articles.entries()) await s.put(a, null, T0 + i);
      // Updating an early article must not move it to the end of the ingest order.
      await s.put(makeArticle("https://a.example/s1", { title: "edited" }), null, T0 + 99);

      const all = await s.since(0, 100);
      expect(all.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all.map((x) => x.article.id)).toEqual(articles.map((a) => a.id));
      expect(all[1]?.article.title).toBe("edited");
      expect((await s.since(2, 2)).map((x) => x.seq)).toEqual([3, 4]);
      expect((await s.since(4, 100)).map((x) => x.seq)).toEqual([5]);
      expect(await s.since(await s.lastSeq(), 100)).toEqual([]);
      expect(await s.since(0, 0)).toEqual([]);
    });

    it("reports the highest seq, 0 when empty", async () => {
      const s = await fresh();
      expect(await s.lastSeq()).toBe(0);
      await s.put(makeArticle("https://a.example/1"), null, T0);
      await s.put(makeArticle("https://a.example/2"), null, T0);
      await s.put(makeArticle("https://a.example/1", { title: "x" }), null, T0);
      expect(await s.lastSeq()).toBe(2);
    });

    it("hands out copies: changing a returned article does not change the store", async () => {
      const s = await fresh();
      const article = makeArticle("https://a.example/copy");
      await s.put(article, makeQuotes("Q"), T0);
      article.title = "mutated after put";
      const got = (await s.get(article.id))!;
      expect(got.article.title).not.toBe("mutated after put");
      got.article.blocks.length = 0;
      got.quotes!.quotes.length = 0;
      const again = (await s.get(article.id))!;
      expect(again.article.blocks.length).toBe(3);
      expect(again.quotes?.quotes.length).toBe(1);
    });

    it("rejects negative or fractional limits and offsets", async () => {
      const s = await fresh();
      await expect(s.latest({ limit: -1 })).rejects.toThrow(RangeError);
      await expect(s.latest({ limit: 2, offset: 1.5 })).rejects.toThrow(RangeError);
      await expect(s.since(0, -1)).rejects.toThrow(RangeError);
      await expect(s.since(-1, 5)).rejects.toThrow(RangeError);
    });

    it("refuses use after close with StoreClosedError", async () => {
      const s = await fresh();
      await s.put(makeArticle("https://a.example/1"), null, T0);
      await s.close();
      await expect(s.get(makeArticle("https://a.example/1").id)).rejects.toThrow(StoreClosedError);
      await expect(s.put(makeArticle("https://a.example/2"), null, T0)).rejects.toThrow(StoreClosedError);
      await expect(s.count()).rejects.toThrow(StoreClosedError);
    });
  });
}
