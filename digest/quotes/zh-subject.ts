/**
 * Who is the subject of a Chinese attribution clause: the text between the clause boundary and
 * the cue, read backwards — framing (time, place, "在接受…采访时", "对美国之音") is peeled off
 * the end, connectors off the start, then affiliation + title + name (+ romanised name).
 */
import type { KnownPeople, SubjectRef } from "./model.js";
import {
  ZH_ADVERBS, ZH_CONNECTORS, ZH_NAME_SUFFIXES, ZH_ORG_ENDINGS, ZH_PLURAL_PRONOUNS, ZH_PRONOUNS,
  ZH_TITLES, ZH_UNNAMED_MARKERS, withTraditional,
} from "./zh-lexicon.js";
import { undoubleName } from "../names.js";

interface SubjectTables {
  /** Connectors that may open a subject chunk, by first character, longest first. */
  connectors: Map<number, string[]>;
  titles: string[];
  titleSet: Set<string>;
  /** Longest title ending in each character: positions no title ends at are skipped with one lookup. */
  titleLast: Uint8Array;
  titleEnds: EndIndex;
  adverbEnds: EndIndex;
  suffixes: string[];
  orgEndings: string[];
  unnamed: string[];
  places: Set<string>;
  pronouns: Set<string>;
  plural: Set<string>;
  /** Length of the longest word in `pronouns` and `plural`. */
  pronounMaxLength: number;
}

let tables: SubjectTables | undefined;

/** For each character code, the length of the longest word ending in it (0: none). */
function longestByLastChar(words: readonly string[]): Uint8Array {
  const out = new Uint8Array(0x10000);
  for (const w of words) {
    const c = w.charCodeAt(w.length - 1);
    out[c] = Math.max(out[c]!, Math.min(255, w.length));
  }
  return out;
}

/** Words grouped by last character code, longest first: the candidates ending at one position. */
type EndIndex = Array<string[] | undefined>;

function byLastChar(words: Iterable<string>): EndIndex {
  // Indexed by code (one array load per lookup, no hashing).
  const out: EndIndex = new Array<string[] | undefined>(0x10000).fill(undefined);
  for (const w of words) {
    if (w.length === 0) continue;
    const c = w.charCodeAt(w.length - 1);
    const list = out[c];
    if (list === undefined) out[c] = [w];
    else list.push(w);
  }
  for (const list of out) list?.sort((a, b) => b.length - a.length);
  return out;
}

/**
 * Length of the longest word in `index` that ends at `end` in `s`, between `min` and `max`
 * characters long and starting at or after 0; 0 when none. Compares in place: no slices.
 */
function longestEndingAt(index: EndIndex, s: string, end: number, min: number, max: number): number {
  if (end <= 0 || end > s.length) return 0;
  const list = index[s.charCodeAt(end - 1)];
  if (list === undefined) return 0;
  const limit = Math.min(max, end);
  for (const w of list) {
    const n = w.length;
    if (n > limit) continue;
    if (n < min) return 0;
    if (s.startsWith(w, end - n)) return n;
  }
  return 0;
}

function t(): SubjectTables {
  if (tables) return tables;
  tables = {
    connectors: byFirstChar(withTraditional([...ZH_CONNECTORS, "据", "根据", "依据", "按照", "对于", "针对"])),
    titles: withTraditional(ZH_TITLES),
    titleSet: new Set(withTraditional(ZH_TITLES)),
    titleLast: longestByLastChar(withTraditional(ZH_TITLES)),
    titleEnds: byLastChar(withTraditional(ZH_TITLES)),
    adverbEnds: byLastChar(withTraditional([...ZH_ADVERBS, ...FRAME_TOKENS])),
    suffixes: withTraditional(ZH_NAME_SUFFIXES),
    orgEndings: withTraditional([...ZH_ORG_ENDINGS, ...PLACES]),
    unnamed: withTraditional(ZH_UNNAMED_MARKERS),
    places: new Set(withTraditional(PLACES)),
    pronouns: new Set(withTraditional(ZH_PRONOUNS)),
    plural: new Set(withTraditional(ZH_PLURAL_PRONOUNS)),
    pronounMaxLength: Math.max(...withTraditional([...ZH_PRONOUNS, ...ZH_PLURAL_PRONOUNS]).map((w) => w.length)),
  };
  return tables;
}

/** Words that frame a statement without naming its source ("撰文", "受访时", "在推特上"). */
const FRAME_TOKENS = [
  "撰文", "发文", "投书", "推文", "发推", "受访时", "受访", "致函", "写信", "发表声明", "发声明", "声明",
  "发表讲话", "讲话时", "演讲时", "致辞时", "通过推特", "透过推特", "以中文", "以英文", "以书面", "书面",
  "公开信", "发表演说", "发表谈话", "发表文章", "在推特上", "在脸书上", "在社交媒体上", "答问时", "回应时",
  "记者会上", "对记者", "向记者", "对媒体", "向媒体", "上发文", "中写道", "文中", "信中", "在信中", "在文中",
  "回应", "答复", "随后", "当时", "会见时", "会谈后", "会谈时", "访问时", "期间", "之际", "时", "中", "上",
];

/** Places that name a country or government when they stand as a subject ("台湾说"). */
const PLACES = [
  "台湾", "香港", "澳门", "日本", "朝鲜", "北韩", "欧洲", "亚洲", "美洲", "非洲", "澳洲", "中东", "大陆", "内地", "西方", "国际",
  "捷克", "印度", "越南", "菲律宾", "澳大利亚", "巴西", "以色列", "伊朗", "伊拉克", "叙利亚", "土耳其", "乌克兰", "俄罗斯",
  "新加坡", "马来西亚", "印尼", "缅甸", "巴基斯坦", "阿富汗", "埃及", "沙特", "加拿大", "墨西哥", "斯洛伐克", "波兰",
  "匈牙利", "立陶宛", "荷兰", "比利时", "瑞典", "挪威", "芬兰", "丹麦", "瑞士", "奥地利", "西班牙", "葡萄牙", "意大利",
  "希腊", "阿根廷", "智利", "秘鲁", "古巴", "南非", "白俄罗斯", "格鲁吉亚", "亚美尼亚", "阿塞拜疆", "蒙古", "尼泊尔",
  "柬埔寨", "老挝", "寮国", "文莱", "汶莱", "新西兰", "纽西兰", "华府", "巴黎", "柏林", "伦敦", "布鲁塞尔", "欧盟", "北约",
];

/** "间接地", "公开地": manner adverbs. */
const MANNER_TAIL = /[\u4e00-\u9fff]{1,3}地$/u;
/** "以欧盟轮值主席国外长的身分": in what capacity. */
const CAPACITY_TAIL = /以[^，。]{0,30}?(?:身分|身份|名义|名義|角度)$/u;
const TIME_TAIL = /(?:(?<=[\u3400-\u9fff])[0-9０-９]+|[0-9０-９]{1,2}月(?:上旬|中旬|下旬|初|底|中)|[0-9０-９]{1,4}(?:年|月|日|号|號)|[上下本这這]?(?:周|週|星期)[一二三四五六日天末]|[上下]午|晚间|晚間|早上|凌晨)$/u;
const LATIN_PAREN_TAIL = /[（(]\s*([A-Za-z][^（）()]*?)\s*[)）]\s*$/u;
const LATIN_PAREN_ANY = /[（(]\s*([A-Za-z][^（）()]*?)\s*[)）]/gu;
const LATIN_NAME_TAIL = /(?:^|[^A-Za-z.'’\-])((?:[A-Z][a-z'’\-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z'’\-]+|[A-Z]\.|de|van|von|der|ul|al|bin|da|di|le|la))*)$/u;
const HAS_CAPITAL = /[A-Z]/u;
/** Two to four Han characters and nothing else (what /^[\u3400-\u9fff]{2,4}$/ matches), without a pattern. */
function isHanName(s: string): boolean {
  if (s.length < 2 || s.length > 4) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x3400 || c > 0x9fff) return false;
  }
  return true;
}
const TRANSLIT_NAME = /^[\u3400-\u9fff]{1,8}(?:[·•‧・\-－‐](?:[\u3400-\u9fff]{1,8}|[A-Z]\.?)){1,3}$/u;
/** Characters that rarely occur in personal names but often in clauses mistaken for them. */
const NOT_IN_NAMES = charTable("的是在了这這那们們和与與及或对對把被从從向于於个個此其该該之为為所以将將会會要都也还還很最更已就并並拒绝絕购購买買遍续續过過推持能");
/** A table of BMP characters, for membership tests by code (cheaper than a character-class pattern on short strings). */
function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

function hasCharOf(table: Uint8Array, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (table[s.charCodeAt(i)] === 1) return true;
  return false;
}

/** A bare word starting like this is a phrase, not a name ("有观察", "美国共", "大多数"). */
const NOT_BARE_NAME_START = /^[有大各每全该該这這那其本我你他她它美中英法德日俄韩韓欧歐亚亞非澳加台港多少许許诸諸几幾两兩]/u;
const NOT_IN_BARE_NAMES = /[国國人们們数數次仅僅续續持观觀点點党黨共外交会會部府界方家者]/u;
const TRANSLIT_CHARS = new Set(
  "阿埃艾安奥澳巴拜班蓬京普拉丽露邦鲍贝倍本比彼毕波伯博布查达戴道德登迪蒂丁杜多恩法凡菲费芬丰弗伏福盖甘冈戈格根贡古哈海汉豪赫亨洪胡华霍基吉加贾杰捷金卡凯坎康柯科可克肯库夸奎拉莱赖兰朗劳勒雷里理利莉连列林琳卢鲁伦罗洛马迈麦曼梅蒙米密明莫墨穆纳娜奈内尼涅纽努诺欧帕潘佩皮珀普奇齐恰乔切琼萨塞桑森沙莎舍施什史斯松苏索塔泰坦汤唐特滕提图托瓦万威韦维温沃乌伍西希谢辛休雅亚扬伊因尤约泽扎詹兹祖佐尔耶茨默蓬奥纳瑟丹琪黛卓德朗".split(""),
);

/** Common Chinese surnames, and the first characters of common Japanese and Korean family names. */
const SURNAMES = new Set(
  ("王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林高罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭田董潘袁蔡蒋蔣余于杜叶葉程魏苏蘇吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閻段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂成苗谷盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺官封谈談匡鞠惠荆荊乐樂冀郁胥南班储儲原栗燕楚鄢劳勞谌諶奚皮粟冼蓝盖蓋练練亓岸松福佐伊小山中川铃鈴渡伯斋齋藤井木村竹西菅安野森桥橋朴尹李崔郑鄭姜赵")
    .split(""),
);

export type ParsedSubject =
  | { kind: "empty" }
  | { kind: "refs"; refs: SubjectRef[] };

/** Words grouped by first character, keeping the list's order (longest first). */
function byFirstChar(words: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const w of words) {
    const c = w.charCodeAt(0);
    const list = out.get(c);
    if (list === undefined) out.set(c, [w]);
    else list.push(w);
  }
  return out;
}

/** ，, and `\s`: what may follow a connector. */
function isConnectorTrail(c: number): boolean {
  return c === 0xff0c || c === 0x2c || (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Drops connectors ("不过，", "此外", "据") from the start of a chunk, repeatedly. */
function stripHead(s: string): string {
  const { connectors } = t();
  let prev: string;
  do {
    prev = s;
    const candidates = connectors.get(s.charCodeAt(0));
    const connector = candidates?.find((w) => s.startsWith(w));
    if (connector !== undefined) {
      let i = connector.length;
      while (i < s.length && isConnectorTrail(s.charCodeAt(i))) i++;
      s = s.slice(i);
    }
    s = s.trimStart();
  } while (s !== prev && s.length > 0);
  return s;
}

function stripAdverb(s: string): string {
  const len = longestEndingAt(t().adverbEnds, s, s.length, 1, s.length);
  return len === 0 ? s : s.slice(0, s.length - len);
}

/** Last characters of a time (TIME_TAIL) or capacity (CAPACITY_TAIL) frame, by code. */
const TIME_LAST = new Set([..."年月日号號旬初底中一二三四五六日天末午间間上晨0123456789０１２３４５６７８９"].map((c) => c.charCodeAt(0)));
const CAPACITY_LAST = new Set([..."分份义義度"].map((c) => c.charCodeAt(0)));

/** Which frame openers a chunk holds, one bit per kind of frame. */
const FRAME_AT = 1; // 在, 於
const FRAME_OBJECT = 2; // 将, 將, 把
const FRAME_MEANS = 4; // 以, 用, 通过, 透过
const FRAME_TIME = 8; // 于
const FRAME_REPLY = 16; // 接受, 答复, 回复, 回答
const FRAME_TOWARDS = 32; // 对, 對, 向, 跟

/** Frame kind by character code (0: opens no frame): one load per character. */
const FRAME_KIND_OF = new Uint8Array(0x10000);
for (const [chars, kind] of [["在於", FRAME_AT], ["将將把", FRAME_OBJECT], ["以用通透", FRAME_MEANS], ["于", FRAME_TIME], ["接答回", FRAME_REPLY], ["对對向跟", FRAME_TOWARDS]] as const) {
  for (const c of chars) FRAME_KIND_OF[c.charCodeAt(0)] = kind;
}

function frameKinds(s: string): number {
  let kinds = 0;
  for (let i = 0; i < s.length; i++) kinds |= FRAME_KIND_OF[s.charCodeAt(i)]!;
  return kinds;
}

/** Peels time, place, interview and adverb framing off the end of a subject chunk. */
export function stripFraming(input: string): string {
  let s = input.length > 80 ? input.slice(-80) : input;
  // Every step below only cuts the end off, so a frame whose opening character the chunk lacks
  // (在, 将, 以, 对 …) is never searched for.
  const kinds = frameKinds(s);
  let prev: string;
  let guard = 0;
  do {
    prev = s;
    s = stripAdverb(s.trimEnd());
    const last = s.charCodeAt(s.length - 1);
    if (TIME_LAST.has(last)) s = s.replace(TIME_TAIL, "");
    if (last === 0x5730) s = s.replace(MANNER_TAIL, ""); // 地
    if (CAPACITY_LAST.has(last)) s = s.replace(CAPACITY_TAIL, "");
    if (kinds !== 0) {
      // "在接受美国之音采访时", "在该智库…发表的文章中": from the last 在 (a name rarely holds one).
      const at = kinds & FRAME_AT ? Math.max(s.lastIndexOf("在"), s.lastIndexOf("於")) : -1;
      if (at >= 0 && s.length - at <= 45 && !holdsPerson(s.slice(at))) s = s.slice(0, at > 1 && s[at - 1] === "人" ? at - 1 : at);
      // "朴之水将拜登形容为…": the object fronted by 将/把 is not the source.
      const ba = kinds & FRAME_OBJECT ? Math.max(s.lastIndexOf("将"), s.lastIndexOf("將"), s.lastIndexOf("把")) : -1;
      if (ba > 0 && s.length - ba <= 20 && !holdsPerson(s.slice(ba))) s = s.slice(0, ba);
      // "以带有嘲讽意味的公开信", "以书面": the means, not the source.
      const by = kinds & FRAME_MEANS ? Math.max(s.lastIndexOf("以"), s.lastIndexOf("用"), s.lastIndexOf("通过"), s.lastIndexOf("透过"), s.lastIndexOf("通過"), s.lastIndexOf("透過")) : -1;
      if (by > 0 && s.length - by <= 25 && !holdsPerson(s.slice(by))) s = s.slice(0, by);
      const yu = kinds & FRAME_TIME ? s.lastIndexOf("于") : -1;
      if (yu > 0 && /[0-9０-９本上今去周週星]/u.test(s[yu + 1] ?? "")) s = s.slice(0, yu);
      if (kinds & FRAME_REPLY) {
        for (const verb of ["接受", "答复", "答覆", "回复", "回覆", "回答"]) {
          const i = s.lastIndexOf(verb);
          if (i > 0 && s.length - i <= 22 && !/[，。]/u.test(s.slice(i))) s = s.slice(0, i);
        }
      }
      const to = kinds & FRAME_TOWARDS ? Math.max(s.lastIndexOf("对"), s.lastIndexOf("對"), s.lastIndexOf("向"), s.lastIndexOf("跟")) : -1;
      if (to > 0 && s.length - to <= 20 && !/[)）]/u.test(s.slice(to)) && !holdsPerson(s.slice(to))) {
        const before = s[to - 1] ?? "";
        // 针对/面对 open a frame ("埃尔多安针对马克龙说"); 反对/绝对/相对 are words of their own.
        if ("针針面".includes(before) && to > 1) s = s.slice(0, to - 1);
        else if (!"反绝絕相应應比核一敌敵".includes(before)) s = s.slice(0, to);
      }
    }
  } while (s !== prev && s.length > 0 && ++guard < 12);
  return s.trim();
}

/** 他, 她们, 对方…: the lists are of short words, so a longer string skips hashing itself for a set lookup. */
function isPronoun(s: string): boolean {
  const tb = t();
  return s.length <= tb.pronounMaxLength && tb.pronouns.has(s);
}

function isPluralPronoun(s: string): boolean {
  const tb = t();
  return s.length <= tb.pronounMaxLength && tb.plural.has(s);
}

/** A title followed by more text ("…议长维特齐"): a frame that would swallow a person is no frame. */
function holdsPerson(part: string): boolean {
  const title = lastTitle(part);
  if (title === null || title.end >= part.length || title.start === 0) return false;
  let rest = part.slice(title.end);
  for (let i = 0; i < 3; i++) rest = stripAdverb(rest).replace(TIME_TAIL, "");
  return rest.length >= 2 && looksLikeName(rest, true);
}

function isHan(c: string | undefined): boolean {
  return c !== undefined && c >= "\u3400" && c <= "\u9fff";
}

/**
 * Does this string look like a personal name (Han, transliterated, or Latin)? `afterTitle`: it
 * follows a title ("教授曹良铉"), which vouches for it; a bare Han word must start with a surname.
 */
export function looksLikeName(s: string, afterTitle = false): boolean {
  if (s.length === 0) return false;
  if (TRANSLIT_NAME.test(s)) return true;
  if (isHanName(s)) {
    if (hasCharOf(NOT_IN_NAMES, s) || endsWithAny(s, t().orgEndings) || containsAny(s, t().unnamed) || isPronoun(s) || isPluralPronoun(s)) return false;
    if (afterTitle) return true;
    // Three characters right before a speech verb are far more often a full name than a word.
    if (s.length === 3 && !NOT_BARE_NAME_START.test(s) && !NOT_IN_BARE_NAMES.test(s)) return true;
    return SURNAMES.has(s[0]!) || [...s].every((c) => TRANSLIT_CHARS.has(c));
  }
  if (s.length >= 5 && s.length <= 7 && [...s].every((c) => TRANSLIT_CHARS.has(c))) return true;
  return /^(?:[A-Z][a-z'’\-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z'’\-]+|[A-Z]\.|de|van|von|der|ul|al|bin|da))*$/u.test(s);
}

/** Words by last character, built once per list: a few in-place comparisons instead of a loop over the list. */
const suffixIndex = new WeakMap<readonly string[], EndIndex>();

function endsWithAny(s: string, list: readonly string[]): boolean {
  let index = suffixIndex.get(list);
  if (index === undefined) {
    index = byLastChar(list);
    suffixIndex.set(list, index);
  }
  return longestEndingAt(index, s, s.length, 1, s.length) > 0;
}

/** Words by first character, built once per list: a table lookup per position instead of a loop over the list. */
const wordIndex = new WeakMap<readonly string[], { firstChar: Uint8Array; byFirst: Map<number, string[]> }>();

function containsAny(s: string, list: readonly string[]): boolean {
  let index = wordIndex.get(list);
  if (index === undefined) {
    index = { firstChar: new Uint8Array(0x10000), byFirst: new Map() };
    for (const w of list) {
      if (w.length === 0) return true;
      const c = w.charCodeAt(0);
      index.firstChar[c] = 1;
      index.byFirst.set(c, [...(index.byFirst.get(c) ?? []), w]);
    }
    wordIndex.set(list, index);
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (index.firstChar[c] === 0) continue;
    for (const w of index.byFirst.get(c)!) if (s.startsWith(w, i)) return true;
  }
  return false;
}

/** The title occurrence that ends last in `s` (ties: the longer title). Scans end positions backwards. */
function lastTitle(s: string): { start: number; end: number } | null {
  const { titleEnds, titleLast } = t();
  for (let end = s.length; end > 0; end--) {
    if (titleLast[s.charCodeAt(end - 1)] === 0) continue;
    const len = longestEndingAt(titleEnds, s, end, 1, end);
    if (len > 0) return { start: end - len, end };
  }
  return null;
}

/** The name at the end of a role phrase whose name is certain (a romanised name follows it). */
function tailName(s: string): string | null {
  let cut = Math.max(s.lastIndexOf("的"), s.lastIndexOf("、"), s.lastIndexOf("，"));
  const title = lastTitle(s);
  if (title !== null && title.end < s.length) cut = Math.max(cut, title.end - 1);
  const rest = s.slice(cut + 1);
  if (rest.length === 0 || endsWithAny(rest, t().orgEndings) || /[司团團行社部院会會]$/u.test(rest)) return null;
  if (rest.length <= 4 || TRANSLIT_NAME.test(rest) || [...rest].every((c) => TRANSLIT_CHARS.has(c) || c === "·" || /[A-Z.]/u.test(c))) return rest;
  return rest.slice(-3);
}

/**
 * "（德国之声中文网）台湾外交部长吴钊燮正在敲响警钟": the name right after the first title in a
 * clause (three characters, else two), when it reads as a name. One scan, no parsing.
 */
export function titledName(clause: string): SubjectRef | null {
  const { titleEnds, titleLast } = t();
  for (let end = 1; end < clause.length; end++) {
    if (titleLast[clause.charCodeAt(end - 1)] === 0) continue;
    if (longestEndingAt(titleEnds, clause, end, 2, end) > 0) {
      for (const n of [3, 2]) {
        const cand = clause.slice(end, end + n);
        const nameStart = SURNAMES.has(cand[0]!) || [...cand].every((c) => TRANSLIT_CHARS.has(c));
        if (cand.length === n && nameStart && looksLikeName(cand, true) && !NOT_BARE_NAME_START.test(cand)) {
          return { type: "person", surface: cand, romanized: null, role: clause.slice(0, end).replace(/^[（(][^）)]*[）)]/u, "") };
        }
      }
      return null;
    }
  }
  return null;
}

let suffixEnds: EndIndex | undefined;

/** Drops a polite suffix ("女士", "律师"), the longest that fits, keeping at least two characters. */
function stripNameSuffix(s: string): string {
  suffixEnds ??= byLastChar(t().suffixes);
  const len = longestEndingAt(suffixEnds, s, s.length, 1, s.length - 2);
  return len === 0 ? s : s.slice(0, s.length - len);
}

function other(label: string): SubjectRef {
  const group = containsAny(label, t().unnamed) ? "unnamed" : "org";
  return { type: "other", label, group };
}

/** Drops one final 的, then ，,、 and spaces at both ends: a scan, not two pattern replacements. */
function trimRole(role: string): string {
  let end = role.length;
  if (end > 0 && role.charCodeAt(end - 1) === 0x7684) end--; // 的
  let a = 0;
  while (a < end && isRoleEdge(role.charCodeAt(a))) a++;
  let b = end;
  while (b > a && isRoleEdge(role.charCodeAt(b - 1))) b--;
  return a === 0 && b === role.length ? role : role.slice(a, b);
}

/** ，,、 and `\s`. */
function isRoleEdge(c: number): boolean {
  return c === 0x3001 || isConnectorTrail(c);
}

/** One subject (not a joint list). */
function parseSingle(raw: string, known: KnownPeople): SubjectRef | null {
  let s = raw.trim();
  if (s.length === 0) return null;
  let romanized: string | null = null;
  // The romanised name in parentheses follows the name; anything after it is framing residue.
  let lastParen: RegExpExecArray | null = null;
  LATIN_PAREN_ANY.lastIndex = 0;
  const hasParen = s.includes("(") || s.includes("（");
  if (hasParen) for (let m = LATIN_PAREN_ANY.exec(s); m !== null; m = LATIN_PAREN_ANY.exec(s)) lastParen = m;
  if (lastParen !== null && isHan(s[lastParen.index - 1]) && looksLikeLatinPerson(undoubleName(lastParen[1] ?? ""))) {
    romanized = undoubleName(lastParen[1] ?? "");
    s = s.slice(0, lastParen.index);
  }
  // "包括田飞龙的导师张千帆在内的许多学者": the named member speaks.
  const including = s.startsWith("包括") ? /^包括(.+?)在[内內]的/u.exec(s) : null;
  if (including !== null && including[1] !== undefined) {
    const inner = parseSingle(including[1], known);
    if (inner !== null && inner.type === "person") return inner;
  }
  const tb = t();
  if (isPronoun(s)) return { type: "pronoun" };
  if (isPluralPronoun(s)) return { type: "other", label: s, group: "unnamed" };
  const knownSurface = known.knownEndingAt(s, s.length);
  if (knownSurface !== null) {
    return { type: "person", surface: knownSurface, romanized, role: trimRole(s.slice(0, s.length - knownSurface.length)) };
  }
  // A Latin name needs a capital letter: most Han subjects skip the end-anchored search.
  const latin = HAS_CAPITAL.test(s) ? LATIN_NAME_TAIL.exec(s) : null;
  if (latin !== null && latin[1] !== undefined && (latin.index === 0 || isHan(s[latin.index]) || isHan(s[latin.index + (latin[0].length - latin[1].length) - 1]))) {
    const name = latin[1];
    if (looksLikeLatinPerson(name)) {
      return { type: "person", surface: name, romanized: null, role: trimRole(s.slice(0, s.length - name.length)) };
    }
  }
  if (s.endsWith("》")) return other(s);
  const title = lastTitle(s);
  if (title !== null) {
    const possessive = s.slice(title.end).startsWith("的");
    let rest = s.slice(title.end).replace(/^的/u, "");
    rest = stripNameSuffix(rest);
    if (rest.length > 0 && romanized !== null) {
      // A romanised name in parentheses vouches for the Han name right before it.
      const name = tailName(rest);
      if (name !== null) return { type: "person", surface: name, romanized, role: trimRole(s.slice(0, s.length - name.length)) };
    }
    if (rest.length > 0) {
      // "…教授曹良铉" vouches for the name; "分析人士的普遍" does not.
      if (looksLikeName(rest, !possessive)) return { type: "person", surface: rest, romanized, role: trimRole(s.slice(0, title.end)) };
      return romanized !== null && rest.length <= 8 ? { type: "person", surface: rest, romanized, role: trimRole(s.slice(0, title.end)) } : other(s);
    }
    // Ends in a title: "曹教授" (surname + title), "莫少平律师" (name + title) or "该法律专家".
    const before = s.slice(0, title.start);
    const titleWord = s.slice(title.start);
    for (const n of [2, 1]) {
      const surname = before.slice(-n);
      if (surname.length === n && isHan(surname[0]) && known.isKnown(surname + titleWord)) {
        return { type: "person", surface: surname + titleWord, romanized, role: "" };
      }
    }
    const nameBefore = known.knownEndingAt(before, before.length);
    if (nameBefore !== null) return { type: "person", surface: nameBefore, romanized, role: titleWord };
    if (t().suffixes.includes(titleWord) && looksLikeName(before) && before.length <= 4 && !t().places.has(before)) {
      return { type: "person", surface: before, romanized, role: titleWord };
    }
    return other(s);
  }
  const bare = stripNameSuffix(s);
  if (looksLikeName(bare)) return { type: "person", surface: bare, romanized, role: "" };
  if (romanized !== null) {
    const name = tailName(bare);
    if (name !== null) return { type: "person", surface: name, romanized, role: trimRole(bare.slice(0, bare.length - name.length)) };
  }
  // "37岁的田飞龙": a descriptor, then the name.
  const of = bare.lastIndexOf("的");
  if (of >= 0 && of < bare.length - 1) {
    const after = bare.slice(of + 1);
    if (looksLikeName(after) || known.knownEndingAt(after, after.length) === after) return { type: "person", surface: after, romanized, role: trimRole(bare.slice(0, of)) };
  }
  // "蓬佩奥检讨美国自身政策错误时": a known person doing something, then speaking.
  if (/[时時]$/u.test(s)) {
    for (let n = Math.min(8, s.length - 1); n >= 2; n--) {
      const head = s.slice(0, n);
      if (known.knownEndingAt(head, head.length) === head) return { type: "person", surface: head, romanized, role: "" };
    }
  }
  if (romanized !== null && bare.length <= 8 && isHan(bare[0])) return { type: "person", surface: bare, romanized, role: "" };
  return other(s);
}

function looksLikeLatinPerson(s: string): boolean {
  const name = s.trim();
  if (name.length < 2 || name.length > 60) return false;
  if (/^[A-Z0-9]{2,}$/u.test(name)) return false; // acronyms: IDC, CFIUS
  if (/\b(?:Group|Company|Inc|Corp|Corporation|Institute|University|College|Center|Centre|Council|Committee|Association|Foundation|Agency|Bank|Fund|Party|Service|Project|Initiative|Network|News|Times|Post|Journal|Watch|Research|Studies|International|Economics|Mutual|Holdings|Ltd|Limited|Forum|Program|Programme|Commission|Office|Department|Ministry)\b/u.test(name)) return false;
  const words = name.split(/\s+/u);
  return words.every((w) => /^(?:[A-Z][a-zà-ÿčřšžěů'’\-]+\.?|[A-Z]\.|de|van|von|der|ul|al|bin|da|di|le|la|Jr\.?|[A-Z][a-z]*-[A-Z][a-z]+)$/u.test(w));
}

/** "A和B": not inside 共和, 和平, 和谐 and the like. */
const JOINT_SPLIT = /(?:以及|(?<![共温溫缓緩调調柔祥])和(?![平谐諧解好睦])|与|與|及|、|跟)/u;

/** Parses a subject chunk; `empty` when nothing is left after framing (a subjectless clause). */
export function parseZhSubject(chunk: string, known: KnownPeople): ParsedSubject {
  let s = stripHead(chunk.trim());
  s = stripFraming(s);
  s = stripHead(s);
  if (s.length === 0) return { kind: "empty" };
  if (JOINT_SPLIT.test(s)) {
    const parts = s.split(JOINT_SPLIT).map((p) => stripFraming(stripHead(p)));
    if (parts.length >= 2 && parts.every((p) => p.length > 0)) {
      const refs = parts.map((p) => parseSingle(p, known));
      // Each member must be clearly a person: a title, a romanised name, a Latin name, or known.
      const strong = (r: SubjectRef | null): boolean =>
        r !== null && r.type === "person" && (r.role.length > 0 || r.romanized !== null || /^[A-Z]/u.test(r.surface) || known.isKnown(r.surface));
      if (refs.every(strong)) return { kind: "refs", refs: refs as SubjectRef[] };
    }
  }
  const single = parseSingle(s, known);
  return single === null ? { kind: "empty" } : { kind: "refs", refs: [single] };
}
