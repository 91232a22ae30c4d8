/**
 * Script/language detection for articles: Chinese (Simplified or Traditional), English, or other.
 * Counting, not modelling: which scripts the letters belong to, and for Chinese which of the
 * characters that exist in only one of the two scripts are used.
 */
import type { Lang } from "../types.js";

/**
 * The 160 most frequent characters of the corpus that exist only in Simplified Chinese, and their
 * Traditional counterparts (opencc-js `cn→t` and `cn→tw` forms). Characters Traditional text
 * also uses (台 后 于 里 并 么 采 几 划 准 …) are left out: they would count for both scripts.
 */
const SIMPLIFIED_ONLY =
  "国会为对这个时来发说经们与过关将报员长开议电现当动业进总体内机还湾统实学数应权没选认险间导场资产从两区种欧华联无战济强党据广问务计医万确军网论记称际该调尔亚题达点续视价协张样让传义马图东举参声决约证组专领变卫结处维许规别复监话给财检项则护设车获责单费办纪离门亿争诊评标团访响审显击严况运转观风弹头书诉势备担贸职难创谈状见";
const TRADITIONAL_ONLY =
  "國會爲為對這個時來發說經們與過關將報員長開議電現當動業進總體內機還灣統實學數應權沒選認險間導場資產從兩區種歐華聯無戰濟強黨據廣問務計醫萬確軍網論記稱際該調爾亞題達點續視價協張樣讓傳義馬圖東舉參聲決約證組專領變衛結處維許規別復監話給財檢項則護設車獲責單費辦紀離門億爭診評標團訪響審顯擊嚴況運轉觀風彈頭書訴勢備擔貿職難創談狀見";

/** What a UTF-16 code unit counts towards. */
const enum CharClass {
  None,
  Latin,
  Han,
  HanSimplifiedOnly,
  HanTraditionalOnly,
  Kana,
  Hangul,
  OtherLetter,
}
const CLASS_COUNT = 8;

/**
 * Class by UTF-16 code unit, so counting is one table read per character. Ranges are filled
 * from the least to the most specific, so where two overlap (Hangul Jamo inside the other
 * letters) the later one wins.
 */
const classOf = new Uint8Array(0x10000);
const fillClass = (cls: CharClass, first: number, last: number): void => void classOf.fill(cls, first, last + 1);
fillClass(CharClass.OtherLetter, 0x370, 0x1fff);
fillClass(CharClass.OtherLetter, 0xa000, 0xabff);
fillClass(CharClass.Latin, 0x41, 0x5a);
fillClass(CharClass.Latin, 0x61, 0x7a);
fillClass(CharClass.Latin, 0xc0, 0x24f);
fillClass(CharClass.Hangul, 0x1100, 0x11ff);
fillClass(CharClass.Hangul, 0xac00, 0xd7af);
fillClass(CharClass.Kana, 0x3040, 0x30ff);
fillClass(CharClass.Han, 0x3400, 0x4dbf);
fillClass(CharClass.Han, 0x4e00, 0x9fff);
for (const c of SIMPLIFIED_ONLY) if (classOf[c.charCodeAt(0)] === CharClass.Han) classOf[c.charCodeAt(0)] = CharClass.HanSimplifiedOnly;
for (const c of TRADITIONAL_ONLY) {
  const code = c.charCodeAt(0);
  if (classOf[code] === CharClass.Han || classOf[code] === CharClass.HanSimplifiedOnly) classOf[code] = CharClass.HanTraditionalOnly;
}

/** Frequent English function words: real English prose is full of them, names and code are not. */
const ENGLISH_FUNCTION_WORDS = new Set(
  "the of and to in a is that for on with as was it by be are at from has have he she his her they this an not but or which said will its their were had been who would".split(" "),
);

/** Enough text to decide (the corpus is classified the same from 1,500 characters as from all); more only costs time. */
const SAMPLE_CHARS = 1500;

export function detectLang(text: string): Lang {
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const counts = new Uint32Array(CLASS_COUNT);
  for (let i = 0; i < sample.length; i++) {
    const cls = classOf[sample.charCodeAt(i)] as CharClass;
    counts[cls] = (counts[cls] as number) + 1;
  }
  const count = (c: CharClass): number => counts[c] as number;
  const simplified = count(CharClass.HanSimplifiedOnly);
  const traditional = count(CharClass.HanTraditionalOnly);
  const han = count(CharClass.Han) + simplified + traditional;
  const kana = count(CharClass.Kana);
  const hangul = count(CharClass.Hangul);
  const latin = count(CharClass.Latin);
  const otherLetters = count(CharClass.OtherLetter);
  if (han + kana + hangul + latin + otherLetters === 0) return "other";
  // Japanese mixes kana into its kanji; Chinese text has none beyond a stray quoted word.
  if (kana >= 10 && kana * 20 >= han) return "other";
  if (hangul > han && hangul > latin) return "other";
  // One Han character carries about a word: a Chinese article quoting English names and
  // titles still has far more Han characters than a quarter of its Latin letters.
  if (han > 0 && han * 4 >= latin && han >= otherLetters) return traditional > simplified ? "zh-Hant" : "zh-Hans";
  if (latin < otherLetters) return "other";
  return looksEnglish(sample) ? "en" : "other";
}

function looksEnglish(sample: string): boolean {
  let words = 0, functionWords = 0;
  for (const word of sample.matchAll(/[A-Za-z]+/g)) {
    words++;
    if (ENGLISH_FUNCTION_WORDS.has(word[0].toLowerCase())) functionWords++;
  }
  // English prose runs at 35-50 % function words; 15 % leaves room for headlines and lists.
  return words >= 3 && functionWords * 100 >= words * 15;
}
