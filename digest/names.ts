/**
 * Name normalisation: one key form for every way an article (or a user) writes a person's name.
 *
 * "曹良鉉", "曹良铉", "ＣＡＯ", "Jo Yanghyeon" / "Yanghyeon Jo", "Ryuta ItoRyuta Ito", "约翰·史密斯"
 * all reduce to a key that compares equal to the other forms of the same name. Pure: the
 * opencc-js converters (≈300 ms to build their tries) are created on first use, not at import.
 */
import OpenCC from "opencc-js";

type Convert = (text: string) => string;

let traditionalToSimplified: Convert | undefined;
let simplifiedToTraditional: Convert | undefined;

function t2s(): Convert {
  const convert = traditionalToSimplified ?? OpenCC.Converter({ from: "t", to: "cn" });
  traditionalToSimplified = convert;
  return convert;
}

function s2t(): Convert {
  // Taiwan forms: the Traditional articles we ingest come from Taiwan's outlets.
  const convert = simplifiedToTraditional ?? OpenCC.Converter({ from: "cn", to: "tw" });
  simplifiedToTraditional = convert;
  return convert;
}

/**
 * Variant and Japanese/Korean shinjitai forms that OpenCC leaves alone but that name the same
 * character in Chinese press (硏 U+784F is printed for 研 in real articles; 曺 is the Korean 曹).
 */
const VARIANTS: Readonly<Record<string, string>> = {
  硏: "研",
  靑: "青",
  淸: "清",
  衞: "卫",
  兪: "俞",
  郞: "郎",
  辺: "边",
  邉: "边",
  沢: "泽",
  斉: "齐",
  斎: "斋",
  広: "广",
  桜: "樱",
  浜: "滨",
  竜: "龙",
  亜: "亚",
  恵: "惠",
  栄: "荣",
  仏: "佛",
  黒: "黑",
  徳: "德",
  髙: "高",
  﨑: "崎",
  瀬: "濑",
  戸: "户",
  姫: "姬",
  裵: "裴",
  吿: "告",
  値: "值",
  曺: "曹",
  姸: "妍",
};
const VARIANT_PATTERN = new RegExp(`[${Object.keys(VARIANTS).join("")}]`, "gu");

/** Han ideographs (incl. extension A and compatibility block), kana and Hangul: "CJK" for our purposes. */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff]/u;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;

/** Middle dots and bullets used between given name and surname in transliterations. */
const NAME_DOTS = /[·・•‧∙⋅\u00b7\u2027\u30fb\uff65]/gu;

/** The longest name we bother to normalise; anything longer is not a name. */
const MAX_NAME_LENGTH = 200;

function foldVariants(s: string): string {
  return s.replace(VARIANT_PATTERN, (c) => VARIANTS[c] ?? c);
}

/**
 * Short strings (names, queries) are converted again and again, and an OpenCC call allocates
 * ~15 kB: remember the last few thousand results.
 */
const CONVERSION_CACHE_LIMIT = 5_000;
const CACHEABLE_LENGTH = 64;
const simplifiedCache = new Map<string, string>();
const traditionalCache = new Map<string, string>();

function cached(cache: Map<string, string>, s: string, convert: (s: string) => string): string {
  if (s.length > CACHEABLE_LENGTH) return convert(s);
  let out = cache.get(s);
  if (out === undefined) {
    out = convert(s);
    if (cache.size >= CONVERSION_CACHE_LIMIT) cache.clear();
    cache.set(s, out);
  }
  return out;
}

/** Traditional → Simplified (OpenCC t→cn) plus the variant characters OpenCC does not fold. */
export function toSimplified(s: string): string {
  if (!HAN.test(s)) return s;
  return cached(simplifiedCache, s, (x) => foldVariants(t2s()(x)));
}

/** Simplified → Traditional (OpenCC cn→tw). */
export function toTraditional(s: string): string {
  if (!HAN.test(s)) return s;
  return cached(traditionalCache, s, (x) => s2t()(foldVariants(x)));
}

/**
 * `\s` of a JavaScript regex (WhiteSpace and LineTerminator) for one UTF-16 code unit, without
 * a regex: undoubleName runs on every name the quote reader registers.
 */
function isSpaceCode(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * "Ryuta ItoRyuta Ito" → "Ryuta Ito": some outlets print the romanised name twice (a scraping
 * artefact). Only an exact repetition of the whole string is undone.
 */
export function undoubleName(s: string): string {
  const t = s.trim();
  if (t.length < 4 || t.length > MAX_NAME_LENGTH) return t;
  // Most names are too short or have an odd number of letters: count before building anything.
  let letters = 0;
  for (let i = 0; i < t.length; i++) if (!isSpaceCode(t.charCodeAt(i))) letters++;
  if (letters < 8 || letters % 2 !== 0) return t;
  const compact = t.replace(/\s+/gu, "");
  const half = compact.slice(0, compact.length / 2);
  if (half !== compact.slice(compact.length / 2)) return t;
  // Return the first occurrence with its original spacing.
  let seen = 0;
  for (let i = 0; i < t.length; i++) {
    if (!isSpaceCode(t.charCodeAt(i))) seen++;
    if (seen === half.length) return t.slice(0, i + 1).trim();
  }
  return t;
}

/** Strips Latin diacritics only (kana voicing marks are letters of the name, not accents). */
function stripLatinAccents(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/gu, "").normalize("NFC");
}

const cache = new Map<string, string>();
const CACHE_LIMIT = 50_000;

/**
 * The key form of a name: NFKC (width), lower case, Simplified script, variant characters folded,
 * spaces and middle dots removed. Romanised (Latin-only) names are order-insensitive: their words
 * are sorted, so "Jo Yanghyeon" and "Yanghyeon Jo" give the same key. Returns "" for input that
 * is empty or too long to be a name.
 */
export function normalizeName(s: string): string {
  if (s.length === 0 || s.length > MAX_NAME_LENGTH) return "";
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  const key = computeKey(s);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(s, key);
  return key;
}

function computeKey(raw: string): string {
  let s = undoubleName(raw.normalize("NFKC")).toLowerCase();
  if (CJK.test(s)) {
    s = toSimplified(s);
    return s.replace(NAME_DOTS, "").replace(/[\s.'’\-‐‑–—_]+/gu, "");
  }
  s = stripLatinAccents(s);
  // Hyphens and apostrophes join syllables ("Yang-hyeon", "O'Hanlon"); dots separate initials.
  const words = s
    .replace(/['’‐‑\-]/gu, "")
    .replace(NAME_DOTS, " ")
    .split(/[\s.,]+/u)
    .filter((w) => w.length > 0);
  return words.sort().join(" ");
}

/** True when the text holds Han/kana/Hangul characters (a CJK name rather than a romanised one). */
export function isCjkName(s: string): boolean {
  return CJK.test(s);
}

// ---- titles: "曹教授", "Mr Trump" ----

/**
 * Title words written after a Chinese surname (in key form: Simplified, no spaces). Longest first
 * so that "助理教授" wins over "教授".
 */
const CJK_TITLES: readonly string[] = [
  "助理教授", "副教授", "教授", "先生", "女士", "小姐", "太太", "博士", "副总统", "总统", "主席", "总理",
  "首相", "部长", "外长", "议长", "参议员", "众议员", "议员", "大使", "律师", "院长", "所长", "主任",
  "研究员", "学者", "记者", "上将", "将军", "局长", "市长", "州长", "秘书长", "发言人", "总裁", "董事长",
  "老师", "医生", "司令", "国务卿", "助卿", "长官", "执行长", "书记", "委员",
].sort((a, b) => b.length - a.length);

/** Latin titles written before a surname, with the role words that confirm them ([] = any person). */
const LATIN_TITLES: Readonly<Record<string, readonly string[]>> = {
  mr: [], mrs: [], ms: [], miss: [], dr: [], sir: [], dame: [],
  prof: ["professor", "教授"], professor: ["professor", "教授"],
  president: ["president", "总统", "主席"], senator: ["senator", "参议员"],
  minister: ["minister", "部长", "外长", "总理"], ambassador: ["ambassador", "大使"],
  general: ["general", "将", "司令"], governor: ["governor", "州长", "省长"],
  secretary: ["secretary", "卿", "部长", "秘书"], chairman: ["chairman", "主席"],
  judge: ["judge", "法官"], rep: ["representative", "众议员"],
};

/** CJK honorifics that say nothing about the role: any person with the surname fits. */
const CJK_HONORIFICS = new Set(["先生", "女士", "小姐", "太太"]);

export interface SurnameTitle {
  /** Key form of the surname ("曹", "ito"). */
  surname: string;
  /** Key form of the title ("教授", "professor"). */
  title: string;
  /** Role words (key form) any of which confirms the title; [] when the title is a plain honorific. */
  roleWords: readonly string[];
}

/**
 * Splits a name key into surname + title when it has that shape: "曹教授" → 曹 + 教授,
 * "mr trump" (key of "Mr Trump") → trump + mr. Chinese surnames are 1–2 characters; a Latin
 * surname is one word. Returns null for anything else (a full name, a bare title).
 */
export function splitSurnameTitle(key: string): SurnameTitle | null {
  if (key.length === 0) return null;
  if (CJK.test(key)) {
    for (const title of CJK_TITLES) {
      if (!key.endsWith(title)) continue;
      const surname = key.slice(0, key.length - title.length);
      if (surname.length < 1 || surname.length > 2 || !HAN.test(surname)) return null;
      return { surname, title, roleWords: CJK_HONORIFICS.has(title) ? [] : [title] };
    }
    return null;
  }
  // Latin keys have sorted words, so look for exactly one title word and one other word.
  const words = key.split(" ");
  if (words.length !== 2) return null;
  const [a = "", b = ""] = words;
  const titleWord = a in LATIN_TITLES ? a : b in LATIN_TITLES ? b : null;
  if (titleWord === null) return null;
  const surname = titleWord === a ? b : a;
  if (surname in LATIN_TITLES) return null;
  return { surname, title: titleWord, roleWords: LATIN_TITLES[titleWord] ?? [] };
}

/** "曹教授", "Mr Trump": a name that is only a surname plus a title (never enough to merge people). */
export function isSurnameTitle(name: string): boolean {
  return splitSurnameTitle(normalizeName(name)) !== null;
}

/** True for a name written only in Latin script (a romanised name such as "Yanghyeon Jo"). */
export function isLatinName(name: string): boolean {
  const s = name.normalize("NFKC");
  return /\p{Script=Latin}/u.test(s) && !CJK.test(s);
}

/** Words of a romanised name key that are not titles ("mr trump" → ["trump"]). */
export function latinNameWords(key: string): string[] {
  if (CJK.test(key)) return [];
  return key.split(" ").filter((w) => w.length > 1 && !(w in LATIN_TITLES));
}

/** Whether a Latin key starts with (or contains) a title word: "president donald trump". */
export function hasLatinTitle(key: string): boolean {
  if (CJK.test(key)) return false;
  return key.split(" ").some((w) => w in LATIN_TITLES);
}

/**
 * Strips titles around a full name: "总统蔡英文" → "蔡英文", "president donald trump" (the key of
 * "President Donald Trump") → "donald trump". Null when there is no title or nothing else.
 */
export function stripTitles(key: string): string | null {
  if (CJK.test(key)) return stripCjkTitle(key);
  const words = key.split(" ");
  const rest = words.filter((w) => !(w in LATIN_TITLES));
  return rest.length > 0 && rest.length < words.length ? rest.join(" ") : null;
}

/** Strips a leading or trailing CJK title from a key ("总统蔡英文" → "蔡英文"); null when there is none. */
export function stripCjkTitle(key: string): string | null {
  if (!CJK.test(key)) return null;
  for (const title of CJK_TITLES) {
    if (key.length > title.length + 1 && key.endsWith(title)) return key.slice(0, key.length - title.length);
    if (key.length > title.length + 1 && key.startsWith(title)) return key.slice(title.length);
  }
  return null;
}
