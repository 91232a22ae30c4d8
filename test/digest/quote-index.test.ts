import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { GoldFile } from "../../digest/gold.js";
import { goldIndexedArticle, goldToQuoteSet } from "../../digest/lookup-eval.js";
import { normalizeName, toTraditional } from "../../digest/names.js";
import {
  createQuoteIndex,
  MAX_QUERY_LENGTH,
  stripQueryFraming,
  type MatchKind,
  type QuoteHit,
  type QuoteIndex,
} from "../../digest/quote-index.js";
import type { QuoteSet } from "../../digest/types.js";
import { corpusGolds } from "../helpers/gold.js";

const golds = corpusGolds();
const gold = (file: string): GoldFile => {
  const g = golds.find((x) => x.file.startsWith(file));
  if (!g) throw new Error(`no gold file ${file}`);
  return g;
};
const seed = gold("seed");

function indexOf(files: GoldFile[], edit?: (g: GoldFile, q: QuoteSet) => QuoteSet): QuoteIndex {
  const index = createQuoteIndex();
  for (const g of files) {
    const quotes = goldToQuoteSet(g);
    index.upsert(goldIndexedArticle(g), edit ? edit(g, quotes) : quotes);
  }
  return index;
}

/** Every gold quote of `speaker` across the corpus, as "articleId/paragraph/text". */
function goldQuotesOf(speakerNames: string[], files: GoldFile[] = golds): string[] {
  const keys = new Set(speakerNames.map(normalizeName));
  return files.flatMap((g) =>
    g.quotes
      .filter((q) => keys.has(normalizeName(q.speaker)))
      .map((q) => `${goldIndexedArticle(g).id}/${q.paragraph}/${q.text}`),
  );
}

const hitKey = (h: QuoteHit): string => `${h.article.id}/${h.quote.paragraph}/${h.quote.text}`;
const personHits = (hits: QuoteHit[]): QuoteHit[] => hits.filter((h) => h.match !== "topic");
const RANK: Record<MatchKind, number> = { name: 0, alias: 1, partial: 2, topic: 3 };

describe("QuoteIndex over the gold corpus", () => {
  let index: QuoteIndex;
  beforeAll(() => {
    index = indexOf(golds);
  });

  it("counts what it holds", () => {
    expect(index.stats()).toMatchObject({
      articles: golds.length,
      quotes: golds.reduce((n, g) => n + g.quotes.length, 0),
    });
  });

  const issueQueries: Array<[string, string]> = [
    ["曹良铉", "曹良铉"],
    ["what did 曹良铉 say", "曹良铉"],
    ["What did 曹良铉 say?", "曹良铉"],
    ["曹良铉说了什么", "曹良铉"],
    ["曹良鉉說了什麼？", "曹良铉"],
    ["曹良鉉", "曹良铉"],
    ["Yanghyeon Jo", "曹良铉"],
    ["Jo Yanghyeon", "曹良铉"],
    ["ＹＡＮＧＨＹＥＯＮ　ＪＯ", "曹良铉"],
    ["曹教授", "曹良铉"],
    ["伊藤隆太", "伊藤隆太"],
    ["Ryuta Ito", "伊藤隆太"],
    ["ryuta ito", "伊藤隆太"],
    ["Ryuta ItoRyuta Ito", "伊藤隆太"],
    ["卢信吉", "卢信吉"],
    ["盧信吉", "卢信吉"],
  ];
  it.each(issueQueries)("%s → every quote of %s, with role and article", (query, name) => {
    const result = index.search(query, { limit: 100 });
    const hits = personHits(result.hits);
    const expected = goldQuotesOf([name]);
    expect(expected.length).toBeGreaterThan(0);
    expect(hits.map(hitKey).sort()).toEqual([...expected].sort());
    const goldExpert = seed.experts.find((e) => e.name === name);
    for (const h of hits) {
      expect(h.person.name).toBe(name);
      expect(h.role).toBe(goldExpert?.role);
      expect(h.article.title).toBe(seed.title);
      expect(h.article.publishedAt).toBe(Date.parse(seed.published));
    }
  });

  it("says which tier matched", () => {
    expect(index.search("曹良铉", { limit: 5 }).match).toBe("name");
    expect(index.search("Yanghyeon Jo", { limit: 5 }).match).toBe("alias");
    expect(index.search("曹教授", { limit: 5 }).match).toBe("partial");
    expect(index.search("Professor Ito", { limit: 5 }).match).toBe("partial");
    expect(index.search("半导体", { limit: 5 }).match).toBe("topic");
  });

  it.each([
    ["President Donald Trump", "Donald Trump"],
    ["曹良铉教授", "曹良铉"],
    ["总统蔡英文", "蔡英文"],
    ["北京大学国家发展研究院院长姚洋", "姚洋"],
    ["旅德记者长平", "长平"],
    ["中国外交部长王毅", "王毅"],
  ])("finds %s by the name inside it", (query, name) => {
    const result = index.search(query, { limit: 100 });
    expect(result.match).toBe("name");
    expect(personHits(result.hits).map(hitKey).sort()).toEqual(goldQuotesOf([name]).sort());
  });

  it("ranks name > alias > partial > topic within one result", () => {
    const result = index.search("拜登", { limit: 1000 });
    const kinds = result.hits.map((h) => h.match);
    expect(new Set(kinds)).toEqual(new Set(["name", "alias", "topic"]));
    for (let i = 1; i < kinds.length; i++) expect(RANK[kinds[i] as MatchKind]).toBeGreaterThanOrEqual(RANK[kinds[i - 1] as MatchKind]);
    // 拜登 is the name in seed/zh_028/zh_042; an alias of 乔·拜登 in zh_029.
    expect(new Set(result.hits.filter((h) => h.match === "alias").map((h) => h.person.name))).toEqual(new Set(["乔·拜登"]));
    expect(result.total).toBe(result.hits.length);

    const trump = index.search("Trump", { limit: 1000 });
    expect(trump.match).toBe("partial");
    expect(trump.hits.some((h) => h.match === "topic")).toBe(true);
    const trumpKinds = trump.hits.map((h) => RANK[h.match]);
    expect(trumpKinds).toEqual([...trumpKinds].sort((a, b) => a - b));
  });

  it.each(["蓬佩奥", "拜登", "Trump", "台湾", "美国"])("lists each tier of %s newest first, in reading order within an article", (query) => {
    const hits = index.search(query, { limit: 1000 }).hits;
    expect(hits.length).toBeGreaterThan(1);
    for (const tier of ["name", "alias", "partial", "topic"] as const) {
      const inTier = hits.filter((h) => h.match === tier);
      const order = (h: QuoteHit): [number, string, number] => [-h.article.publishedAt, h.article.id, h.quote.paragraph];
      const sorted = [...inTier].sort((a, b) => {
        const [x, y] = [order(a), order(b)];
        return x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0) || x[2] - y[2];
      });
      expect(inTier.map(hitKey)).toEqual(sorted.map(hitKey));
    }
    expect(new Set(hits.map((h) => `${h.person.id}:${hitKey(h)}`)).size).toBe(hits.length);
  });

  it("finds topic words in quote text, in either script and across languages", () => {
    const containing = (words: string[]): string[] =>
      golds.flatMap((g) =>
        g.quotes
          .filter((q) => words.some((w) => q.text.toLowerCase().includes(w)))
          .map((q) => `${goldIndexedArticle(g).id}/${q.paragraph}/${q.text}`),
      );
    const semis = index.search("半导体", { limit: 1000 });
    expect(semis.hits.map(hitKey).sort()).toEqual(containing(["半导体", "半導體"]).sort());
    expect(semis.hits.every((h) => h.match === "topic")).toBe(true);
    expect(index.search("半導體", { limit: 1000 }).hits.map(hitKey).sort()).toEqual(semis.hits.map(hitKey).sort());

    const chains = index.search("supply chain", { limit: 1000 });
    expect(chains.total).toBeGreaterThan(3);
    expect(chains.hits.map(hitKey).sort()).toEqual(containing(["供应链", "供應鏈", "supply chain"]).sort());

    const votes = index.search("votes", { limit: 1000 });
    expect(votes.hits.map(hitKey).sort()).toEqual(
      golds.flatMap((g) =>
        g.quotes.filter((q) => /\bvotes/iu.test(q.text)).map((q) => `${goldIndexedArticle(g).id}/${q.paragraph}/${q.text}`),
      ).sort(),
    );
  });

  it("merges one person across articles by full name or romanised name", () => {
    // 王毅 in a Simplified (zh_003) and a Traditional (zh_045) article.
    const wang = personHits(index.search("王毅", { limit: 100 }).hits);
    expect(new Set(wang.map((h) => h.person.id)).size).toBe(1);
    expect(new Set(wang.map((h) => h.article.id)).size).toBe(2);
    // 格拉泽 (zh_021) and 葛来仪 (zh_029) are both "Bonnie Glaser".
    const glaser = personHits(index.search("Bonnie Glaser", { limit: 100 }).hits);
    expect(new Set(glaser.map((h) => h.person.id)).size).toBe(1);
    expect(glaser.map(hitKey).sort()).toEqual(goldQuotesOf(["格拉泽", "葛来仪"]).sort());
    // "Mike Pompeo" (en_002's name, zh_014's alias) joins the Chinese and English articles.
    const pompeo = personHits(index.search("Mr Pompeo", { limit: 100 }).hits);
    expect(pompeo.map(hitKey).sort()).toEqual(goldQuotesOf(["蓬佩奥", "Mike Pompeo"]).sort());
    // Each article's own role stays with its quotes.
    expect(new Set(pompeo.map((h) => h.role))).toEqual(
      new Set(golds.flatMap((g) => g.experts.filter((e) => ["蓬佩奥", "Mike Pompeo"].includes(e.name)).map((e) => e.role))),
    );
  });

  it.each(["蓬佩奥", "拜登", "美国"])("pages %s without gaps or repeats", (query) => {
    const all = index.search(query, { limit: 1000 });
    expect(all.total).toBe(all.hits.length);
    const paged: QuoteHit[] = [];
    for (let offset = 0; offset < all.total; offset += 4) {
      const page = index.search(query, { limit: 4, offset });
      expect(page.total).toBe(all.total);
      paged.push(...page.hits);
    }
    expect(paged.map((h) => `${h.match}:${hitKey(h)}`)).toEqual(all.hits.map((h) => `${h.match}:${hitKey(h)}`));
    expect(index.search(query, { limit: 4, offset: all.total }).hits).toEqual([]);
  });

  it("gives stable person ids that resolve for deep links", () => {
    const reversed = indexOf([...golds].reverse());
    for (const name of ["曹良铉", "蓬佩奥", "王毅", "Donald Trump"]) {
      const a = index.search(name, { limit: 1 }).hits[0]?.person;
      const b = reversed.search(name, { limit: 1 }).hits[0]?.person;
      expect(a?.id).toMatch(/^[0-9a-z]{8}$/u);
      expect(b?.id).toBe(a?.id);
      const found = index.person(a?.id ?? "");
      expect(found?.name).toBe(a?.name);
      expect(index.personQuotes(a?.id ?? "", { limit: 1000 }).hits.map(hitKey).sort()).toEqual(
        personHits(index.search(name, { limit: 1000 }).hits)
          .filter((h) => h.person.id === a?.id)
          .map(hitKey)
          .sort(),
      );
    }
    expect(index.person("zzzzzzzz")).toBeUndefined();
  });

  it("lists an article's quotes in paragraph order with each speaker's role", () => {
    const hits = index.articleQuotes(goldIndexedArticle(seed).id);
    expect(hits.map((h) => h.quote.text)).toEqual(
      [...seed.quotes].sort((a, b) => a.paragraph - b.paragraph).map((q) => q.text),
    );
    for (const h of hits) expect(h.role).toBe(seed.experts.find((e) => e.name === h.person.name)?.role);
  });

  it("ranks top experts by quote count, counting merged people once", () => {
    const top = index.topExperts(5);
    expect(top.map((t) => t.quotes)).toEqual([...top.map((t) => t.quotes)].sort((a, b) => b - a));
    const pompeo = top.find((t) => t.person.name === "蓬佩奥");
    expect(pompeo?.quotes).toBe(goldQuotesOf(["蓬佩奥", "Mike Pompeo"]).length);
    expect(pompeo?.articles).toBe(golds.filter((g) => g.quotes.some((q) => ["蓬佩奥", "Mike Pompeo"].includes(q.speaker))).length);
  });

  it("suggests near names when nothing matches", () => {
    const miss = index.search("曹良玄", { limit: 5 });
    expect(miss.total).toBe(0);
    expect(miss.match).toBeNull();
    expect(miss.suggestions).toContain("曹良铉");
  });

  // Speed is the benchmark's business (test/bench/quote-index.bench.ts): here, only the answer.
  it("returns nothing for a query too long to be a name or topic", () => {
    for (const q of ["曹".repeat(5000), "a ".repeat(2500), "what did " + "x".repeat(4990) + " say"]) {
      expect(index.search(q, { limit: 10 })).toEqual({ total: 0, hits: [], match: null, suggestions: [] });
    }
    expect(index.search("曹".repeat(MAX_QUERY_LENGTH), { limit: 10 }).total).toBe(0);
  });
});

describe("people who only share a surname and title", () => {
  // 张倚维 (zh_003) and 张千帆 (zh_033) are two people; give both the alias "张教授".
  const files = [gold("zh_003"), gold("zh_033")];
  const asZhang = (name: string, replace: boolean) => (g: GoldFile, q: QuoteSet): QuoteSet => ({
    ...q,
    experts: q.experts.map((e) =>
      e.name !== name ? e : replace ? { ...e, name: "张教授", key: "张教授-" + g.file } : { ...e, aliases: [...e.aliases, "张教授"] },
    ),
    quotes: q.quotes.map((x) => (replace && x.speaker === normalizeName(name) ? { ...x, speaker: "张教授-" + g.file } : x)),
  });
  const both = (replace: boolean) => (g: GoldFile, q: QuoteSet): QuoteSet =>
    asZhang("张千帆", replace)(g, asZhang("张倚维", replace)(g, q));

  it("are not merged when 张教授 is an alias of each", () => {
    const index = indexOf(files, both(false));
    const hits = index.search("张教授", { limit: 100 }).hits;
    expect(new Set(hits.map((h) => h.person.name))).toEqual(new Set(["张倚维", "张千帆"]));
    expect(new Set(hits.map((h) => h.person.id)).size).toBe(2);
  });

  it("are not merged when 张教授 is all each article gives", () => {
    const index = indexOf(files, both(true));
    const hits = index.search("张教授", { limit: 100 }).hits;
    expect(hits.length).toBe(goldQuotesOf(["张倚维", "张千帆"], files).length);
    const ids = new Set(hits.map((h) => h.person.id));
    expect(ids.size).toBe(2);
    for (const id of ids) expect(new Set(index.personQuotes(id, { limit: 100 }).hits.map((h) => h.article.id)).size).toBe(1);
  });
});

describe("updates", () => {
  it("upsert replaces an article's earlier quotes", () => {
    const index = indexOf(golds);
    const article = goldIndexedArticle(seed);
    const before = index.stats();
    const full = goldToQuoteSet(seed);
    const cho = normalizeName("曹良铉");
    const kept = full.quotes.filter((q) => q.speaker !== cho);
    const changedText = "这是更新后的引语，只为测试半导体更新";
    index.upsert(article, { ...full, quotes: [...kept, { speaker: cho, text: changedText, kind: "direct", paragraph: 6, cue: "表示" }] });

    const cho1 = personHits(index.search("曹良铉", { limit: 100 }).hits);
    expect(cho1.map((h) => h.quote.text)).toEqual([changedText]);
    expect(index.stats()).toEqual({ ...before, quotes: before.quotes - (full.quotes.length - kept.length) + 1 });
    // Old texts are gone from the topic index too.
    const oldText = full.quotes.find((q) => q.speaker === cho)?.text ?? "";
    expect(index.search(oldText.slice(0, 12), { limit: 100 }).hits.filter((h) => h.person.name === "曹良铉")).toEqual([]);
    expect(index.search("更新后的引语", { limit: 10 }).hits.map((h) => h.quote.text)).toEqual([changedText]);
  });

  it("remove drops an article and splits people it was joining", () => {
    const index = indexOf(golds);
    const seedId = goldIndexedArticle(seed).id;
    const choId = index.search("曹良铉", { limit: 1 }).hits[0]?.person.id ?? "";
    index.remove(seedId);
    expect(index.search("曹良铉", { limit: 10 }).total).toBe(0);
    expect(index.person(choId)).toBeUndefined();
    expect(index.articleQuotes(seedId)).toEqual([]);
    expect(index.stats().articles).toBe(golds.length - 1);

    // zh_014 and zh_022 give 蓬佩奥 the alias "Mike Pompeo"; without them en_002's Mike Pompeo is someone else.
    expect(new Set(personHits(index.search("Mike Pompeo", { limit: 100 }).hits).map((h) => h.person.id)).size).toBe(1);
    index.remove(goldIndexedArticle(gold("zh_014")).id);
    index.remove(goldIndexedArticle(gold("zh_022")).id);
    const english = personHits(index.search("Mike Pompeo", { limit: 100 }).hits);
    const chinese = personHits(index.search("蓬佩奥", { limit: 100 }).hits);
    expect(english.map(hitKey).sort()).toEqual(goldQuotesOf(["Mike Pompeo"], [gold("en_002")]).sort());
    expect(chinese.map(hitKey).sort()).toEqual(goldQuotesOf(["蓬佩奥"], [gold("zh_006")]).sort());
    expect(english[0]?.person.id).not.toBe(chinese[0]?.person.id);
  });

  it("stays correct when an article is re-ingested many times with new texts", () => {
    const index = indexOf([seed]);
    const article = goldIndexedArticle(seed);
    const full = goldToQuoteSet(seed);
    const cho = normalizeName("曹良铉");
    const version = (i: number): QuoteSet => ({
      ...full,
      quotes: full.quotes.map((q) => (q.speaker === cho ? { ...q, text: `${q.text}（第${i}版）` } : q)),
    });
    for (let i = 0; i < 1500; i++) index.upsert(article, version(i));
    expect(index.stats()).toEqual({ articles: 1, persons: indexOf([seed]).stats().persons, quotes: full.quotes.length });
    expect(index.search("第1499版", { limit: 100 }).total).toBe(full.quotes.filter((q) => q.speaker === cho).length);
    expect(index.search("第1498版", { limit: 100 }).total).toBe(0);
    expect(index.search("第7版", { limit: 100 }).total).toBe(0);
    expect(personHits(index.search("曹良铉", { limit: 100 }).hits).every((h) => h.quote.text.endsWith("（第1499版）"))).toBe(true);
  });

  it("answers after any sequence of upserts and removes as an index built from scratch", () => {
    // Articles that share people (蓬佩奥/Mike Pompeo, 格拉泽/葛来仪 via Bonnie Glaser, 王毅, 拜登, 简淑贤).
    const pool = ["seed", "zh_001", "zh_003", "zh_006", "zh_014", "zh_021", "zh_022", "zh_028", "zh_029", "zh_045", "en_002"].map(gold);
    const queries = ["蓬佩奥", "Mike Pompeo", "Bonnie Glaser", "王毅", "拜登", "简淑贤", "曹教授", "Mr Pompeo", "台湾", "supply chain"];
    const op = fc.record({ article: fc.integer({ min: 0, max: pool.length - 1 }), remove: fc.boolean(), dropAliases: fc.boolean() });
    const quotesFor = (g: GoldFile, dropAliases: boolean): QuoteSet => {
      const q = goldToQuoteSet(g);
      return dropAliases ? { ...q, experts: q.experts.map((e) => ({ ...e, aliases: [] })) } : q;
    };
    const snapshot = (index: QuoteIndex): unknown => ({
      stats: index.stats(),
      results: queries.map((q) => {
        const r = index.search(q, { limit: 1000 });
        return { total: r.total, match: r.match, hits: r.hits.map((h) => `${h.match}|${h.person.id}|${h.person.name}|${hitKey(h)}`) };
      }),
      top: index.topExperts(10).map((t) => `${t.person.id}:${t.quotes}:${t.articles}`),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        const incremental = createQuoteIndex();
        const current = new Map<number, boolean>();
        for (const { article, remove, dropAliases } of ops) {
          const g = pool[article] as GoldFile;
          if (remove) {
            incremental.remove(goldIndexedArticle(g).id);
            current.delete(article);
          } else {
            incremental.upsert(goldIndexedArticle(g), quotesFor(g, dropAliases));
            current.set(article, dropAliases);
          }
        }
        const fresh = createQuoteIndex();
        for (const [article, dropAliases] of [...current].sort((a, b) => b[0] - a[0])) {
          const g = pool[article] as GoldFile;
          fresh.upsert(goldIndexedArticle(g), quotesFor(g, dropAliases));
        }
        expect(snapshot(incremental)).toEqual(snapshot(fresh));
      }),
      { numRuns: 60 },
    );
  });

  it("remove of an unknown id is a no-op", () => {
    const index = indexOf([seed]);
    const before = index.stats();
    index.remove("nosuchid");
    expect(index.stats()).toEqual(before);
  });
});

describe("stripQueryFraming", () => {
  it.each([
    ["what did 曹良铉 say", "曹良铉"],
    ["What has Ryuta Ito said about China?", "Ryuta Ito"],
    ["曹良铉说了什么？", "曹良铉"],
    ["曹良鉉說了什麼", "曹良鉉"],
    ["伊藤隆太怎么看", "伊藤隆太"],
    ["quotes by Yanghyeon Jo", "Yanghyeon Jo"],
    ["“曹良铉”", "曹良铉"],
    ["半导体", "半导体"],
  ])("%s → %s", (query, expected) => {
    expect(stripQueryFraming(query)).toBe(expected);
  });

  it("keeps Traditional input in its own script", () => {
    expect(stripQueryFraming(toTraditional("卢信吉说了什么"))).toBe(toTraditional("卢信吉"));
  });
});
