import { describe, expect, it } from "vitest";
import type { GoldFile } from "../../digest/gold.js";
import {
  coverage,
  goldIndexedArticle,
  goldToQuoteSet,
  measureLookupRecall,
  queryForms,
  type LookupCase,
} from "../../digest/lookup-eval.js";
import type { Article, QuoteSet } from "../../digest/types.js";
import { corpusGolds } from "../helpers/gold.js";

const golds = corpusGolds();

/** Article metadata from the gold file; no blocks, so coverage falls back to the common substring. */
function articleOf(gold: GoldFile): Article {
  return {
    ...goldIndexedArticle(gold),
    archivedAt: null,
    lang: gold.lang === "en" ? "en" : gold.lang === "zh-Hant" ? "zh-Hant" : "zh-Hans",
    image: null,
    blocks: [],
    contentHash: "",
  };
}

function casesWith(predict: (g: GoldFile) => QuoteSet = goldToQuoteSet): LookupCase[] {
  return golds.map((gold) => ({ article: articleOf(gold), quotes: predict(gold), gold }));
}

const expertsWithQuotes = golds.flatMap((g) => g.experts.filter((e) => g.quotes.some((q) => q.speaker === e.name)));

describe("queryForms", () => {
  it("classifies the gold forms", () => {
    const seed = golds.find((g) => g.file.startsWith("seed"));
    const cho = seed?.experts.find((e) => e.name === "曹良铉");
    expect(cho && queryForms(cho)).toEqual([
      { form: "曹良铉", kind: "name" },
      { form: "Yanghyeon Jo", kind: "romanised" },
      { form: "曹良鉉", kind: "other-script" },
    ]);
    expect(queryForms({ name: "蔡英文", aliases: ["总统蔡英文", "蔡总统"], role: "" }).map((f) => f.kind)).toEqual([
      "name",
      "title+name",
      "surname+title",
    ]);
    expect(queryForms({ name: "蘇紫雲", aliases: [], role: "" })).toEqual([
      { form: "蘇紫雲", kind: "name" },
      { form: "苏紫云", kind: "other-script" },
    ]);
    expect(queryForms({ name: "Imran Khan", aliases: ["Khan"], role: "" }).map((f) => f.kind)).toEqual(["name", "short"]);
    expect(queryForms({ name: "Donald Trump", aliases: ["Mr Trump"], role: "" }).map((f) => f.kind)).toEqual([
      "name",
      "surname+title",
    ]);
  });
});

describe("coverage", () => {
  const gold = { speaker: "x", kind: "direct" as const, paragraph: 0, text: "美国愈来愈难以独自应对" };
  const article = { ...articleOf(golds[0] as GoldFile), blocks: [{ kind: "paragraph" as const, text: "他说：美国愈来愈难以独自应对。", html: "" }] };

  it("measures the overlap of spans in the paragraph", () => {
    expect(coverage(gold, "美国愈来愈难以独自应对", 0, article)).toBe(1);
    expect(coverage(gold, "独自应对。", 0, article)).toBeCloseTo(4 / 11);
    expect(coverage(gold, "美国愈来愈难以", 0, article)).toBeCloseTo(7 / 11);
    expect(coverage(gold, "美国愈来愈难以独自应对", 1, article)).toBe(0);
  });

  it("falls back to the longest common substring without the paragraph text", () => {
    const noBlocks = { ...article, blocks: [] };
    expect(coverage(gold, "他说美国愈来愈难", 0, noBlocks)).toBeCloseTo(6 / 11);
  });
});

describe("measureLookupRecall", () => {
  it("finds every form of every quoted gold expert when extraction is perfect", () => {
    const table = measureLookupRecall(casesWith());
    expect(table.name).toEqual({ queries: expertsWithQuotes.length, found: expertsWithQuotes.length, recall: 1, quoteRecall: 1, asName: 1 });
    for (const [kind, row] of Object.entries(table)) expect([row.recall, row.quoteRecall, row.asName], kind).toEqual([1, 1, 1]);
    expect(Object.keys(table).sort()).toEqual(
      ["all", "name", "other-script", "romanised", "short", "surname+title", "title+name"].sort(),
    );
    const forms = expertsWithQuotes.flatMap((e) => queryForms(e));
    expect(table.all?.queries).toBe(forms.length);
  });

  it("misses romanised forms when extraction drops aliases", () => {
    const table = measureLookupRecall(
      casesWith((g) => {
        const q = goldToQuoteSet(g);
        return { ...q, experts: q.experts.map((e) => ({ ...e, aliases: [] })) };
      }),
    );
    expect(table.name?.recall).toBe(1);
    expect(table.romanised?.recall).toBeLessThan(0.5);
    // The alias resolution is what loses them: the full name still finds every quote.
    expect(table.romanised?.asName).toBeLessThan(0.5);
    expect(table["other-script"]?.recall).toBe(1);
  });

  it("misses quotes that extraction cut to less than half", () => {
    const table = measureLookupRecall(
      casesWith((g) => {
        const q = goldToQuoteSet(g);
        return { ...q, quotes: q.quotes.map((x) => ({ ...x, text: x.text.slice(0, Math.floor(x.text.length * 0.4)) })) };
      }),
    );
    // An expert is found only if every one of their quotes is covered; single-character quotes survive.
    expect(table.all?.recall).toBeLessThan(0.1);
    // Extraction lost them, not the lookup: every alias finds what the full name finds.
    expect(table.all?.quoteRecall).toBeLessThan(0.2);
    expect(table.all?.asName).toBe(1);
  });

  it("does not credit quotes given to the wrong speaker", () => {
    const table = measureLookupRecall(
      casesWith((g) => {
        const q = goldToQuoteSet(g);
        const keys = q.experts.map((e) => e.key);
        // Rotate speakers: each quote goes to the next expert in the list.
        return { ...q, quotes: q.quotes.map((x) => ({ ...x, speaker: keys[(keys.indexOf(x.speaker) + 1) % keys.length] ?? x.speaker })) };
      }),
    );
    expect(table.name?.recall).toBeLessThan(0.2);
  });
});
