import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseArticle } from "../../digest/article.js";
import { extractQuotes, QUOTE_EXTRACTOR_VERSION, quotesAreStale } from "../../digest/quotes.js";
import type { Article, Block, QuoteSet } from "../../digest/types.js";

const corpus = new URL("../../../shared/corpus/", import.meta.url);
const corpusArticle = (name: string): Article => parseArticle(readFileSync(new URL(`${name}.txt`, corpus)), `${name}.txt`);

/** An article whose body is these paragraphs (only `blocks` and `lang` matter to the extractor). */
function article(lang: Article["lang"], ...paragraphs: string[]): Article {
  const blocks: Block[] = paragraphs.map((text) => ({ kind: "paragraph", text, html: text }));
  return { id: "testtest", url: "https://example.com/a", title: "t", publishedAt: 0, archivedAt: null, source: "test", lang, image: null, blocks, contentHash: "" };
}

/** A Chinese article of these blocks, headings included. */
function withHeading(...blocks: Array<[Block["kind"], string]>): Article {
  return { ...article("zh-Hans"), blocks: blocks.map(([kind, text]) => ({ kind, text, html: text })) };
}

function saidBy(set: QuoteSet, paragraph?: number): Array<[string, string, string]> {
  const name = new Map(set.experts.map((e) => [e.key, e.name]));
  return set.quotes.filter((q) => paragraph === undefined || q.paragraph === paragraph).map((q) => [name.get(q.speaker) ?? "?", q.kind, q.text]);
}

describe("extractQuotes — Chinese", () => {
  it("reads affiliation + title + name (+ romanised name) backwards from the cue", () => {
    const set = extractQuotes(article("zh-Hans", "韩国国立外交院外交安保硏究所教授曹良铉(Yanghyeon Jo)认为，韩日关系明显改善，会让美国更容易管理在东北亚局势。"));
    expect(saidBy(set)).toEqual([["曹良铉", "indirect", "韩日关系明显改善，会让美国更容易管理在东北亚局势。"]]);
    const expert = set.experts[0]!;
    expect(expert.role).toBe("韩国国立外交院外交安保硏究所教授");
    expect(expert.aliases).toContain("Yanghyeon Jo");
    expect(expert.aliases).toContain("曹良鉉"); // the other script
  });

  it("undoes doubled romanisations", () => {
    const set = extractQuotes(article("zh-Hans", "日本广岛大学大学院助理教授伊藤隆太(Ryuta ItoRyuta Ito)表示，日本已开始试运行预警系统。"));
    expect(set.experts[0]!.aliases).toContain("Ryuta Ito");
    expect(set.experts[0]!.aliases).not.toContain("Ryuta ItoRyuta Ito");
  });

  it("resolves a pronoun to the most recent speaker, not to a name inside the quote", () => {
    const set = extractQuotes(
      article(
        "zh-Hans",
        "台湾中兴大学助理研究员刘易鑫表示，“拜登与习近平的会谈显示美中都倾向于保持合作。”",
        "他认为，中国会将重心放在内部经济问题。",
      ),
    );
    expect(saidBy(set)).toEqual([
      ["刘易鑫", "direct", "拜登与习近平的会谈显示美中都倾向于保持合作。"],
      ["刘易鑫", "indirect", "中国会将重心放在内部经济问题。"],
    ]);
    expect(set.experts.map((e) => e.name)).toEqual(["刘易鑫"]);
  });

  it("gives a whole quoted paragraph to the speaker before it", () => {
    const set = extractQuotes(
      article("zh-Hans", "前五角大楼官员博斯科(Joseph Bosco)告诉美国之音，中国会做出危险的战略误判。", "“我们必须排除这种不确定性，我们必须清楚表态。”"),
    );
    expect(saidBy(set, 1)).toEqual([["博斯科", "direct", "我们必须排除这种不确定性，我们必须清楚表态。"]]);
  });

  it("reads “…，”X说 with the speaker after the quote", () => {
    const set = extractQuotes(article("zh-Hans", "“香港还是中国的香港，”北京航空航天大学副教授田飞龙说。“还得中共去收拾烂摊子。”"));
    expect(saidBy(set)).toEqual([
      ["田飞龙", "direct", "香港还是中国的香港，"],
      ["田飞龙", "direct", "还得中共去收拾烂摊子。"],
    ]);
  });

  it("resolves surname + title and short transliterated forms to the person introduced earlier", () => {
    const set = extractQuotes(
      article(
        "zh-Hans",
        "乔治城大学数据库负责人艾米莉·韦恩斯坦告诉美国之音，中国试图隐藏这些计划。",
        "韦恩斯坦表示，“千人计划”成为重点打击对象有一定的道理。",
        "韩国国立外交院教授曹良铉表示，韩日关系明显改善。曹教授指出，三方合作仍有挑战。",
      ),
    );
    const names = saidBy(set).map(([n]) => n);
    expect(names).toEqual(["艾米莉·韦恩斯坦", "艾米莉·韦恩斯坦", "曹良铉", "曹良铉"]);
    const cao = set.experts.find((e) => e.name === "曹良铉")!;
    expect(cao.aliases).toContain("曹教授");
  });

  it("enters a joint statement once per person", () => {
    const set = extractQuotes(article("zh-Hans", "美国共和党籍参议员鲁比奥和民主党籍参议员舒默要求审查这起收购案。"));
    expect(saidBy(set).map(([n]) => n).sort()).toEqual(["舒默", "鲁比奥"]);
  });

  it("keeps the negating verb of a negated report", () => {
    const set = extractQuotes(article("zh-Hans", "中华经济研究院主任徐遵慈说，她大致同意。不过，她不认为，印度的市场对中国有高达910亿美元的冲击。"));
    expect(saidBy(set).map(([, , t]) => t)).toContain("不认为，印度的市场对中国有高达910亿美元的冲击。");
  });

  it("keeps organisations and unnamed sources out of the experts", () => {
    const set = extractQuotes(
      article("zh-Hans", "韩国总统府表示，韩日两国合作潜力巨大。", "共同社报导，多名外交消息人士透露，中日韩外长会谈将于11月下旬召开。"),
    );
    expect(set.experts).toEqual([]);
    expect(set.quotes).toEqual([]);
    expect(set.others.map((o) => o.speaker)).toEqual(["韩国总统府", "多名外交消息人士"]);
  });

  it("reads a negation glued to the cue, and a cue right after another", () => {
    const set = extractQuotes(article("zh-Hans", "北京大学教授王缉思表示并不认为，两国会走向冲突。"));
    expect(set.quotes.map((q) => [q.cue, q.text])).toEqual([["表示", "并不认为，两国会走向冲突。"]]);
  });

  it("reads Traditional Chinese cues", () => {
    const set = extractQuotes(article("zh-Hant", "國防院國家安全研究所所長李哲全指出，美國的「印太戰略」強調台灣的角色。他說，美中競爭對立激化。"));
    expect(saidBy(set)).toEqual([
      ["李哲全", "indirect", "美國的「印太戰略」強調台灣的角色。"],
      ["李哲全", "indirect", "美中競爭對立激化。"],
    ]);
  });

  it("reads a statement that comes before its speaker (“…，X说。”)", () => {
    const set = extractQuotes(article("zh-Hans", "习近平的双循环可能会给国内服务行业带来更多的支持措施，中国人民大学重阳金融研究院执行院长王文在接受采访时说。"));
    expect(saidBy(set)).toEqual([["王文", "indirect", "习近平的双循环可能会给国内服务行业带来更多的支持措施"]]);
  });

  it("does not give a quote inside narration to the previous speaker", () => {
    const set = extractQuotes(
      article("zh-Hans", "前美国官员科尔比说，美国的立场没有改变。", "该小组在其指导方针中明确强调要“建立健全引进海外人才工作的体制机制”。"),
    );
    expect(saidBy(set, 1)).toEqual([]);
  });

  it("counts a “姓名：观点” sub-heading as that person's statement", () => {
    const set = extractQuotes(article("zh-Hans", "邱达生：RCEP无法挑战美国的买家地位", "台经院副主任邱达生表示，中国积极加入RCEP。"));
    expect(saidBy(set, 0)).toEqual([["邱达生", "indirect", "RCEP无法挑战美国的买家地位"]]);
  });

  it("gives the unattributed paragraphs under a “姓名：…” heading to the person it names, until a paragraph names a source", () => {
    const set = extractQuotes(
      withHeading(
        ["paragraph", "淡江大学国际事务与战略研究所教授翁明贤表示，美国对中国的政策已经改变。"],
        ["heading", "翁明贤：美扬弃扩大参与"],
        ["paragraph", "首先是经济威胁，中国加入世界贸易组织以来并没有遵守国际经贸的规则。"],
        ["paragraph", "其次是价值方面的威胁，这不符合美国自由民主、尊重人权的价值。"],
        ["paragraph", "外交部发言人汪文斌回应说，美方的指控毫无根据。"],
        ["paragraph", "这份报告在去年五月发布，共有二十页，涵盖经济与安全两个部分。"],
      ),
    );
    expect(saidBy(set, 2)).toEqual([["翁明贤", "indirect", "首先是经济威胁，中国加入世界贸易组织以来并没有遵守国际经贸的规则。"]]);
    expect(saidBy(set, 3)).toEqual([["翁明贤", "indirect", "其次是价值方面的威胁，这不符合美国自由民主、尊重人权的价值。"]]);
    expect(saidBy(set, 4).map(([who]) => who)).toEqual(["汪文斌"]);
    // After another source spoke, narration is nobody's.
    expect(saidBy(set, 5)).toEqual([]);
  });

  it("does not give paragraphs under a “话题：…” heading to anyone, nor narration naming the heading's person", () => {
    const topic = extractQuotes(withHeading(["heading", "关口防疫：新一波疫情突显漏洞未改"], ["paragraph", "香港第一波疫情来自大陆返港人士，第二波来自欧美旅客。"]));
    expect(saidBy(topic, 1)).toEqual([]);
    const narration = extractQuotes(
      withHeading(
        ["paragraph", "捷克参议院议长维特奇表示，这趟行程是正确的。"],
        ["heading", "维特奇：做对的事"],
        ["paragraph", "针对王毅的代价说法，维特奇本人也做出回应。"],
      ),
    );
    expect(saidBy(narration, 2)).toEqual([]);
  });
});

describe("extractQuotes — English", () => {
  it("reads “…,” says X with an appositive, and a follow-up quote", () => {
    const set = extractQuotes(
      article(
        "en",
        "“The generals are solidly on the side of the law,” says Eliot Cohen, the dean of SAIS, “but the civilians have behaved in a dangerous way.”",
      ),
    );
    expect(saidBy(set)).toEqual([
      ["Eliot Cohen", "direct", "The generals are solidly on the side of the law,"],
      ["Eliot Cohen", "direct", "but the civilians have behaved in a dangerous way."],
    ]);
  });

  it("resolves Mr + surname to the most recent person of that name", () => {
    const set = extractQuotes(
      article(
        "en",
        "“Trump is looking for an excuse,” says William Cohen, who was secretary of defence.",
        "“Here you have ten men,” says Eliot Cohen, a dean. The crisis is severe, adds Mr Cohen.",
      ),
    );
    const last = saidBy(set).at(-1)!;
    expect(last[0]).toBe("Eliot Cohen");
    expect(set.experts.find((e) => e.name === "Eliot Cohen")!.aliases).toContain("Mr Cohen");
  });

  it("reads reported speech with a that-clause and a he-said follow-up", () => {
    const set = extractQuotes(
      article("en", "Mr Pompeo said that America and its allies must push China to change. “If we bend the knee now, we lose,” he said."),
    );
    expect(saidBy(set)).toEqual([
      ["Pompeo", "indirect", "America and its allies must push China to change"],
      ["Pompeo", "direct", "If we bend the knee now, we lose,"],
    ]);
  });

  it("enters a listed joint subject once per person", () => {
    const set = extractQuotes(
      article("en", "The national security adviser, Robert O’Brien, the FBI director, Christopher Wray, and Mr Pompeo argued that China sought to export its ideology."),
    );
    expect(saidBy(set).map(([n]) => n)).toEqual(["Robert O’Brien", "Christopher Wray", "Pompeo"]);
  });

  it("reads “according to X” and keeps the person before “of” an affiliation", () => {
    const set = extractQuotes(
      article("en", "Supporters are targeting Muslims, according to Myat Thu of Myanmar Tech Accountability, a monitoring firm."),
    );
    expect(saidBy(set)).toEqual([["Myat Thu", "indirect", "Supporters are targeting Muslims"]]);
  });

  it("finds reporting verbs as whole words, in any case, including two-word verbs", () => {
    const set = extractQuotes(
      article(
        "en",
        "Those sayings are unsaid. Mr Perry POINTED OUT that the port was empty. The fishermen are angry, Mr Perry Says.",
      ),
    );
    expect(saidBy(set)).toEqual([
      ["Perry", "indirect", "the port was empty"],
      ["Perry", "indirect", "The fishermen are angry"],
    ]);
    expect(set.quotes.map((q) => q.cue)).toEqual(["POINTED OUT", "Says"]);
  });

  it("keeps unnamed sources out of the experts", () => {
    const set = extractQuotes(article("en", "A senior official says that the administration is determined to impose costs."));
    expect(set.quotes).toEqual([]);
    expect(set.others.map((o) => o.speaker)).toEqual(["A senior official"]);
  });
});

describe("extractQuotes — on the corpus seed article", () => {
  const set = extractQuotes(corpusArticle("seed"));
  it("finds Cao Liangxuan's statements, followed through 他 and 曹良铉 alone", () => {
    const cao = set.experts.find((e) => e.name === "曹良铉");
    expect(cao?.aliases).toContain("Yanghyeon Jo");
    const paragraphs = set.quotes.filter((q) => q.speaker === cao?.key).map((q) => q.paragraph);
    expect(paragraphs).toEqual(expect.arrayContaining([6, 7, 8, 9, 25, 26, 35, 36, 37]));
  });
  it("keeps the presidential office as an organisation", () => {
    expect(set.others.some((o) => o.speaker === "韩国总统府" && o.paragraph === 19)).toBe(true);
    expect(set.experts.some((e) => e.name.includes("总统府"))).toBe(false);
  });
  it("is deterministic and JSON-safe", () => {
    expect(JSON.parse(JSON.stringify(extractQuotes(corpusArticle("seed"))))).toEqual(set);
  });
});

describe("quotesAreStale", () => {
  const set = (extractor?: string): QuoteSet => ({ experts: [], quotes: [], others: [], ...(extractor === undefined ? {} : { extractor }) });
  it("reads again what no extractor or an older one read, never what this or a newer one read", () => {
    expect(quotesAreStale(null)).toBe(true);
    expect(quotesAreStale(set())).toBe(true);
    expect(quotesAreStale(set("2020-01-01.1"))).toBe(true);
    expect(quotesAreStale(set(QUOTE_EXTRACTOR_VERSION))).toBe(false);
    expect(quotesAreStale(extractQuotes(article("zh-Hans", "他说，没问题。")))).toBe(false);
    expect(quotesAreStale(set("2999-01-01.1"))).toBe(false);
    // Numbers compare as numbers: .10 comes after .9.
    const [date] = QUOTE_EXTRACTOR_VERSION.split(".");
    expect(quotesAreStale(set(`${date}.10`))).toBe(false);
  });
});
