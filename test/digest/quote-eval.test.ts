import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseArticle } from "../../digest/article.js";
import { parseGold, type GoldFile } from "../../digest/gold.js";
import { scoreCase, scoreQuotes, sharedCharacters, type EvalCase } from "../../digest/quote-eval.js";
import { extractQuotes } from "../../digest/quotes.js";
import type { Article, QuoteSet } from "../../digest/types.js";

const corpus = new URL("../../../shared/corpus/", import.meta.url);

function loadCorpus(): EvalCase[] {
  return readdirSync(corpus)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const base = f.slice(0, -5);
      const gold = parseGold(JSON.parse(readFileSync(new URL(f, corpus), "utf8")), f);
      const article = parseArticle(readFileSync(new URL(`${base}.txt`, corpus)), `${base}.txt`);
      return { file: base, article, quotes: extractQuotes(article), gold };
    });
}

/**
 * Floors for the annotated corpus (29 articles, 635 gold quotes). They sit a little under what
 * the extractor reaches, and never under the minimums (end-to-end F1 0.90, speaker
 * accuracy 0.95 overall, English end-to-end F1 0.85): a regression fails here.
 */
const FLOORS = { e2eF1: 0.9, speakerAccuracy: 0.97, englishE2eF1: 0.9 };

describe("quote extraction on the annotated corpus", () => {
  const cases = loadCorpus();
  const report = scoreQuotes(cases);
  it("reads all 29 annotated articles", () => {
    expect(cases.length).toBe(29);
    expect(report.overall.gold).toBe(635);
  });
  it(`reaches end-to-end F1 ≥ ${FLOORS.e2eF1} and speaker accuracy ≥ ${FLOORS.speakerAccuracy} overall`, () => {
    expect(report.overall.e2eF1).toBeGreaterThanOrEqual(FLOORS.e2eF1);
    expect(report.overall.speakerAccuracy).toBeGreaterThanOrEqual(FLOORS.speakerAccuracy);
  });
  it(`reaches end-to-end F1 ≥ ${FLOORS.englishE2eF1} on the English articles`, () => {
    expect(report.byLang.en?.e2eF1 ?? 0).toBeGreaterThanOrEqual(FLOORS.englishE2eF1);
  });
});

/** A one-paragraph article and gold file, to test the scoring rule itself. */
function oneParagraph(text: string, gold: Array<[string, string]>, predicted: Array<[string, string]>): EvalCase {
  const article: Article = {
    id: "testtest", url: "u", title: "t", publishedAt: 0, archivedAt: null, source: "s", lang: "zh-Hans", image: null, contentHash: "",
    blocks: [{ kind: "paragraph", text, html: text }],
  };
  const g: GoldFile = {
    file: "x.txt", lang: "zh", source: "s", title: "t", url: "u", published: "",
    experts: [{ name: "曹良铉", aliases: ["Yanghyeon Jo", "曹教授"], role: "" }],
    quotes: gold.map(([speaker, t]) => ({ speaker, kind: "indirect" as const, paragraph: 0, text: t })),
    org_statements: [], unnamed_statements: [],
  };
  const names = [...new Set(predicted.map(([s]) => s))];
  const quotes: QuoteSet = {
    experts: names.map((n) => ({ key: n, name: n, aliases: [], role: "" })),
    quotes: predicted.map(([speaker, t]) => ({ speaker, text: t, kind: "indirect" as const, paragraph: 0, cue: "说" })),
    others: [],
  };
  return { file: "x", article, quotes, gold: g };
}

describe("scoring rule", () => {
  const text = "曹良铉说，韩日关系明显改善，会让美国更容易管理在东北亚局势。他还说，三方合作仍有挑战。";
  it("measures shared characters inside the paragraph", () => {
    expect(sharedCharacters(text, "韩日关系明显改善", "关系明显改善，会让")).toBe(6);
    expect(sharedCharacters(text, "韩日关系明显改善", "三方合作仍有挑战")).toBe(0);
  });
  it("matches at ≥ 50 % coverage of the gold text, one-to-one", () => {
    const half = scoreCase(oneParagraph(text, [["曹良铉", "韩日关系明显改善"]], [["曹良铉", "明显改善，会让"]]));
    expect(half.counts.matched).toBe(1);
    const less = scoreCase(oneParagraph(text, [["曹良铉", "韩日关系明显改善"]], [["曹良铉", "改善，会让美国"]]));
    expect(less.counts.matched).toBe(0);
    const twice = scoreCase(oneParagraph(text, [["曹良铉", "韩日关系明显改善"]], [["曹良铉", "韩日关系"], ["曹良铉", "韩日关系明显"]]));
    expect(twice.counts).toMatchObject({ matched: 1, predicted: 2, gold: 1 });
    expect(twice.spurious).toHaveLength(1);
  });
  it("accepts the gold speaker's aliases as the right speaker, and reports a wrong one", () => {
    const alias = scoreCase(oneParagraph(text, [["曹良铉", "三方合作仍有挑战"]], [["曹教授", "三方合作仍有挑战。"]]));
    expect(alias.counts.speakerRight).toBe(1);
    const wrong = scoreCase(oneParagraph(text, [["曹良铉", "三方合作仍有挑战"]], [["刘易鑫", "三方合作仍有挑战。"]]));
    expect(wrong.counts).toMatchObject({ matched: 1, speakerRight: 0 });
    expect(wrong.wrongSpeakers[0]).toMatchObject({ gold: "曹良铉", predicted: "刘易鑫" });
  });
  it("prefers the pairing that gets the speaker right", () => {
    const r = scoreCase(oneParagraph(text, [["曹良铉", "三方合作仍有挑战"]], [["刘易鑫", "三方合作仍有挑战"], ["曹良铉", "三方合作仍有挑战。"]]));
    expect(r.counts).toMatchObject({ matched: 1, speakerRight: 1 });
  });
});
