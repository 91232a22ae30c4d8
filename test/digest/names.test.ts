import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseGold } from "../../digest/gold.js";
import {
  isSurnameTitle,
  normalizeName,
  splitSurnameTitle,
  stripCjkTitle,
  stripTitles,
  toSimplified,
  toTraditional,
  undoubleName,
} from "../../digest/names.js";

const corpus = new URL("../../../shared/corpus/", import.meta.url);
const golds = readdirSync(corpus)
  .filter((f) => f.endsWith(".json"))
  .map((f) => parseGold(JSON.parse(readFileSync(new URL(f, corpus), "utf8")), f));

describe("normalizeName", () => {
  it("folds width and case", () => {
    expect(normalizeName("ＲＹＵＴＡ　ＩＴＯ")).toBe(normalizeName("ryuta ito"));
    expect(normalizeName("Ｊｏ Yanghyeon")).toBe(normalizeName("jo yanghyeon"));
    expect(normalizeName("Ryuta Ito")).not.toBe(normalizeName("Ryuta Itoh"));
  });

  it("maps Traditional to Simplified", () => {
    expect(normalizeName("曹良鉉")).toBe("曹良铉");
    expect(normalizeName("盧信吉")).toBe(normalizeName("卢信吉"));
    expect(normalizeName("維特齊")).toBe(normalizeName("维特齐"));
    expect(normalizeName("蘇紫雲")).toBe(normalizeName("苏紫云"));
  });

  it("folds variant characters OpenCC leaves alone", () => {
    expect(normalizeName("硏究所")).toBe(normalizeName("研究所"));
    expect(normalizeName("曺良鉉")).toBe(normalizeName("曹良铉"));
    expect(normalizeName("渡辺")).toBe(normalizeName("渡邊"));
  });

  it("removes spaces and every kind of middle dot in CJK names", () => {
    const plain = normalizeName("乔拜登");
    for (const form of ["乔·拜登", "喬・拜登", "乔•拜登", "乔‧拜登", "乔 拜登", "乔･拜登"]) expect(normalizeName(form)).toBe(plain);
  });

  it("treats romanised names as order-insensitive", () => {
    expect(normalizeName("Jo Yanghyeon")).toBe(normalizeName("Yanghyeon Jo"));
    expect(normalizeName("Ito Ryuta")).toBe(normalizeName("Ryuta Ito"));
    expect(normalizeName("Yang-hyeon Jo")).toBe(normalizeName("Yanghyeon Jo"));
    expect(normalizeName("Recep Tayyip Erdoğan")).toBe(normalizeName("erdogan recep tayyip"));
  });

  it("undoes doubled romanisations printed by some outlets", () => {
    expect(undoubleName("Ryuta ItoRyuta Ito")).toBe("Ryuta Ito");
    expect(normalizeName("Ryuta ItoRyuta Ito")).toBe(normalizeName("Ryuta Ito"));
    expect(undoubleName("Mg Mg Kyaw")).toBe("Mg Mg Kyaw");
  });

  it("keeps distinct people distinct", () => {
    expect(normalizeName("格拉泽")).not.toBe(normalizeName("葛来仪"));
    expect(normalizeName("William Cohen")).not.toBe(normalizeName("Eliot Cohen"));
  });

  it("gives one key to every gold name's Traditional and Simplified forms", () => {
    for (const gold of golds) {
      for (const e of gold.experts) {
        const key = normalizeName(e.name);
        expect(key, `${gold.file} ${e.name}`).not.toBe("");
        expect(normalizeName(toTraditional(e.name)), `${gold.file} ${e.name}`).toBe(key);
        expect(normalizeName(toSimplified(e.name)), `${gold.file} ${e.name}`).toBe(key);
      }
    }
  });

  it("refuses input too long to be a name", () => {
    expect(normalizeName("曹".repeat(5000))).toBe("");
  });
});

describe("script conversion", () => {
  it("converts names both ways", () => {
    expect(toTraditional("卢信吉")).toBe("盧信吉");
    expect(toSimplified("盧信吉")).toBe("卢信吉");
    expect(toSimplified("Ryuta Ito")).toBe("Ryuta Ito");
  });
});

describe("surname + title", () => {
  it("recognises the forms the gold uses", () => {
    expect(splitSurnameTitle(normalizeName("曹教授"))).toMatchObject({ surname: "曹", title: "教授" });
    expect(splitSurnameTitle(normalizeName("蔡總統"))).toMatchObject({ surname: "蔡", title: "总统" });
    expect(splitSurnameTitle(normalizeName("Mr Trump"))).toMatchObject({ surname: "trump", title: "mr", roleWords: [] });
    expect(splitSurnameTitle(normalizeName("Professor Ito"))?.roleWords).toContain("教授");
  });

  it("does not take full names for surname + title", () => {
    for (const name of ["曹良铉", "王文", "蓬佩奥", "Mr Mg Mg Kyaw", "Donald Trump", "教授"]) expect(isSurnameTitle(name), name).toBe(false);
  });

  it("strips Latin titles from a key", () => {
    expect(stripTitles(normalizeName("President Donald Trump"))).toBe(normalizeName("Donald Trump"));
    expect(stripTitles(normalizeName("Mr Mg Mg Kyaw"))).toBe(normalizeName("Mg Mg Kyaw"));
    expect(stripTitles(normalizeName("Donald Trump"))).toBeNull();
    expect(stripTitles(normalizeName("Professor"))).toBeNull();
  });

  it("strips a title around a full name", () => {
    expect(stripCjkTitle(normalizeName("总统蔡英文"))).toBe("蔡英文");
    expect(stripCjkTitle(normalizeName("曹良鉉教授"))).toBe("曹良铉");
    expect(stripCjkTitle("曹良铉")).toBeNull();
  });
});
