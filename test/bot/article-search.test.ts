/** /search's index over real corpus articles: every word must match, scripts and widths folded. */
import { describe, expect, it } from "vitest";
import { createArticleSearch, queryWords } from "../../bot/article-search.js";
import { corpusArticles } from "./harness.js";

describe("article search", () => {
  const search = createArticleSearch();
  for (const { article } of corpusArticles()) search.upsert(article);

  it("finds an article by a title word in Simplified, Traditional and full-width forms alike", () => {
    const seed = corpusArticles().find((c) => c.article.title.includes("日韩首脑"))!.article;
    for (const query of ["座谈会", "座談會", "日韩首脑 供应链"]) {
      expect(search.search(query, 10).hits.map((h) => h.id), query).toContain(seed.id);
    }
    const en = corpusArticles().find((c) => c.article.title.includes("CPEC"))!.article;
    expect(search.search("ＧＷＡＤＡＲ", 10).hits[0]?.id).toBe(en.id);
  });

  it("requires every word and ranks title matches first, then newest", () => {
    const result = search.search("供应链", 50);
    expect(result.total).toBe(result.hits.length);
    for (const hit of result.hits) {
      const { article } = corpusArticles().find((c) => c.article.id === hit.id)!;
      expect(article.title.includes("供应链") || article.blocks.some((b) => b.text.includes("供应链") || b.text.includes("供應鏈"))).toBe(true);
    }
    const titleHits = result.hits.filter((h) => h.title.includes("供应链"));
    expect(result.hits.slice(0, titleHits.length)).toEqual(titleHits);
    expect(search.search("供应链 qqqxyzzy", 10).total).toBe(0);
  });

  it("bounds queries: a 5,000-character query is cut, words deduplicated", () => {
    expect(queryWords("a ".repeat(2500)).length).toBe(1);
    expect(queryWords("x".repeat(5000))[0]!.length).toBe(200);
    const started = performance.now();
    search.search("曹".repeat(5000), 10);
    expect(performance.now() - started).toBeLessThan(100);
  });
});
