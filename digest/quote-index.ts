/**
 * Quote lookup: "what did 曹良铉 say", "Yanghyeon Jo", "曹教授", "半导体".
 *
 * An in-memory index over the QuoteSets of all stored articles, rebuilt from the store at start
 * and updated on ingest. People are merged across articles by full name or romanised name
 * (never by surname + title alone), queries are matched in tiers (exact name > alias > partial
 * > topic word in the quote text), and every list is newest first.
 */
import { createHash } from "node:crypto";
import type { Article, Expert, Quote, QuoteSet } from "./types.js";
import {
  hasLatinTitle,
  isCjkName,
  isLatinName,
  latinNameWords,
  normalizeName,
  splitSurnameTitle,
  stripTitles,
  toSimplified,
  toTraditional,
} from "./names.js";

// ---- public API ----

export interface IndexedArticle {
  id: string;
  title: string;
  url: string;
  publishedAt: number;
  source: string;
}

export type MatchKind = "name" | "alias" | "partial" | "topic";

export interface Person {
  /** 8 base36 chars, stable: a hash of the canonical name's key; usable in a deep link q_<id>. */
  id: string;
  name: string;
  aliases: string[];
  roles: string[];
}

export interface QuoteHit {
  person: Person;
  /** The role as that article gives it. */
  role: string;
  quote: Quote;
  article: IndexedArticle;
  match: MatchKind;
}

export interface QuoteSearchResult {
  total: number;
  hits: QuoteHit[];
  /** The best tier that matched, null when nothing did. */
  match: MatchKind | null;
  /** Nearest expert names when nothing matched. */
  suggestions: string[];
}

export interface QuotePage {
  limit: number;
  offset?: number;
}

export interface QuoteIndex {
  /** Adds an article's quotes, replacing its earlier entries. */
  upsert(article: IndexedArticle, quotes: QuoteSet): void;
  remove(articleId: string): void;
  /** Tiers name > alias > partial > topic; within a tier newest first. */
  search(query: string, page: QuotePage): QuoteSearchResult;
  person(id: string): Person | undefined;
  personQuotes(id: string, page: QuotePage): { total: number; hits: QuoteHit[] };
  /** The article's quotes in paragraph order, each with the role the article gives its speaker. */
  articleQuotes(articleId: string): QuoteHit[];
  topExperts(limit: number): Array<{ person: Person; quotes: number; articles: number }>;
  stats(): { articles: number; persons: number; quotes: number };
}

/** The lookup's view of a parsed article. */
export function indexedArticleOf(article: Article): IndexedArticle {
  return {
    id: article.id,
    title: article.title,
    url: article.url,
    publishedAt: article.publishedAt,
    source: article.source,
  };
}

/** Queries longer than this are not names or topics; they return nothing, cheaply. */
export const MAX_QUERY_LENGTH = 200;
const MAX_PAGE_SIZE = 1000;
const MAX_SUGGESTIONS = 5;
/** Longest name looked for at the end of a qualified query ("北京大学的姚洋"). */
const MAX_NAME_SUFFIX = 12;
/** Bounds the work a query that matches nothing can cause. */
const MAX_SUGGESTION_CANDIDATES = 500;

/** 8 base36 characters of a SHA-1: short, stable across machines, typeable. */
export function shortId(text: string): string {
  const digest = createHash("sha1").update(text).digest();
  const n = digest.readBigUInt64BE(0) % 36n ** 8n;
  return n.toString(36).padStart(8, "0");
}

// ---- query framing ----

const FRAMINGS: readonly RegExp[] = [
  /^(?:请问|我想知道|查一下|查询)?\s*(.+?)\s*(?:都|还|曾经|曾|到底|究竟)?(?:说了什么|说过什么|说了些什么|说过些什么|说了啥|说啥|说什么|讲了什么|讲过什么|怎么说|怎么看|如何看|有什么看法|有何看法|表示了什么|的观点|的看法|的言论|的说法|的引语|的引述|的发言|的话)$/u,
  /^(?:what|wat)\s+(?:did|does|has|have|had|do)\s+(.+?)\s+(?:say|said|says|think|thought|tell|told)(?:\s+about\s+.*)?$/iu,
  /^(?:what|who)\s+(?:is|was)\s+(.+?)\s+(?:saying|quoted\s+as\s+saying)$/iu,
  /^(?:quotes?|statements?|comments?)\s+(?:by|from|of)\s+(.+)$/iu,
  /^(.+?)(?:'s|’s)?\s+(?:quotes?|statements?|comments?)$/iu,
  /^(?:引语|言论|发言|观点)[:：\s]+(.+)$/u,
];

const EDGE_PUNCTUATION = /^[\s"'“”‘’「」『』《》()（）\[\]【】?？!！。.,，:：;；]+|[\s"'“”‘’「」『』《》()（）\[\]【】?？!！。.,，:：;；]+$/gu;

/** Removes question framing around a name: "what did 曹良铉 say?" → "曹良铉", "曹良铉说了什么" → "曹良铉". */
export function stripQueryFraming(query: string): string {
  let q = query.normalize("NFKC").replace(EDGE_PUNCTUATION, "").replace(/\s+/gu, " ");
  const simplified = toSimplified(q);
  for (const pattern of FRAMINGS) {
    const m = pattern.exec(simplified);
    if (m?.[1]) {
      // Slice the original (same length: OpenCC is character-for-character on these phrases).
      const start = simplified.indexOf(m[1]);
      q = simplified.length === q.length ? q.slice(start, start + m[1].length) : m[1];
      break;
    }
  }
  return q.replace(EDGE_PUNCTUATION, "");
}

// ---- internal model ----

interface ArticleEntry {
  article: IndexedArticle;
  mentions: Mention[];
  /** In QuoteSet order, which extraction keeps in paragraph order. */
  quotes: QuoteEntry[];
}

/** One expert in one article. */
interface Mention {
  article: ArticleEntry;
  expert: Expert;
  nameKey: string;
  /** Keys that merge this mention with mentions in other articles (full name, romanised names). */
  linkKeys: string[];
  aliasKeys: string[];
  roleKey: string;
  person: PersonEntry;
  quotes: QuoteEntry[];
}

interface QuoteEntry {
  mention: Mention;
  quote: Quote;
  /** Position in its article's quote list. */
  order: number;
  textId: number;
  dead: boolean;
}

interface PersonEntry {
  mentions: Set<Mention>;
  /** Cached, null when stale: newest-first quotes, the public view, role keys, quotes per text id. */
  sorted: QuoteEntry[] | null;
  view: Person | null;
  roleKeys: Set<string> | null;
  textCounts: Map<number, number> | null;
}

/** Newest first; within an article, paragraph (reading) order. */
function newestFirst(a: QuoteEntry, b: QuoteEntry): number {
  const da = a.mention.article.article;
  const db = b.mention.article.article;
  if (da.publishedAt !== db.publishedAt) return db.publishedAt - da.publishedAt;
  if (da.id !== db.id) return da.id < db.id ? -1 : 1;
  if (a.quote.paragraph !== b.quote.paragraph) return a.quote.paragraph - b.quote.paragraph;
  return a.order - b.order;
}

/** Adds to a multimap of sets. */
function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function deleteFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set) return false;
  set.delete(value);
  if (set.size > 0) return false;
  map.delete(key);
  return true;
}

/**
 * Of many newest-first lists, the at most `n` whose first kept entry is among the `n` best first
 * entries: no other list can contribute to the first `n` of the merge (a topic word may match
 * thousands of texts).
 */
function listsThatCanLead(lists: QuoteEntry[][], n: number, keep?: (entry: QuoteEntry) => boolean): QuoteEntry[][] {
  const best: Array<{ head: QuoteEntry; list: QuoteEntry[] }> = [];
  // Later lists tend to be newer (ids follow ingest order): visiting them first fills `best` with
  // winners early, so most lists are rejected by one comparison.
  for (let i = lists.length - 1; i >= 0; i--) {
    const list = lists[i] ?? [];
    const head = keep ? list.find(keep) : list[0];
    if (!head) continue;
    const worst = best[best.length - 1];
    if (best.length >= n && worst && newestFirst(head, worst.head) >= 0) continue;
    let at = best.length;
    while (at > 0 && newestFirst(head, (best[at - 1] as { head: QuoteEntry }).head) < 0) at--;
    best.splice(at, 0, { head, list });
    if (best.length > n) best.pop();
  }
  return best.map((b) => b.list);
}

/**
 * Walks several newest-first lists as one, skipping `offset`, taking `limit` (entries `keep`
 * rejects are passed over). A binary heap of list heads: a popular surname can bring hundreds of lists.
 */
function mergeNewestFirst(
  lists: QuoteEntry[][],
  offset: number,
  limit: number,
  keep?: (entry: QuoteEntry) => boolean,
): QuoteEntry[] {
  if (lists.length === 1 && !keep) return (lists[0] ?? []).slice(offset, offset + limit);
  if (lists.length > offset + limit) lists = listsThatCanLead(lists, offset + limit, keep);
  // Heap items: [list index, position in that list].
  const heap: Array<[number, number]> = [];
  const head = (item: [number, number]): QuoteEntry | undefined => lists[item[0]]?.[item[1]];
  const less = (a: [number, number], b: [number, number]): boolean => {
    const x = head(a);
    const y = head(b);
    return x !== undefined && y !== undefined && newestFirst(x, y) < 0;
  };
  const swap = (i: number, j: number): void => {
    const t = heap[i] as [number, number];
    heap[i] = heap[j] as [number, number];
    heap[j] = t;
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l] as [number, number], heap[m] as [number, number])) m = l;
      if (r < heap.length && less(heap[r] as [number, number], heap[m] as [number, number])) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  lists.forEach((list, i) => {
    if (list.length > 0) heap.push([i, 0]);
  });
  // Bottom-up heap construction: O(lists), where a topic word can match thousands of texts.
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  const out: QuoteEntry[] = [];
  let skipped = 0;
  while (out.length < limit && heap.length > 0) {
    const top = heap[0] as [number, number];
    const entry = head(top);
    top[1]++;
    if (head(top) === undefined) {
      const last = heap.pop() as [number, number];
      if (heap.length > 0 && last !== top) heap[0] = last;
    }
    if (heap.length > 0) down(0);
    if (!entry || (keep && !keep(entry))) continue;
    if (skipped < offset) skipped++;
    else out.push(entry);
  }
  return out;
}

function clampPage(page: QuotePage): { offset: number; limit: number } {
  const limit = Math.max(0, Math.min(MAX_PAGE_SIZE, Math.floor(page.limit)));
  const offset = Math.max(0, Math.floor(page.offset ?? 0));
  return { offset: Number.isFinite(offset) ? offset : 0, limit: Number.isFinite(limit) ? limit : 0 };
}

// ---- topic search: a bigram index over distinct quote texts ----

/** Form of quote text used for topic search: width and case folded (script is handled by the query). */
function foldText(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

function bigramsOf(text: string): Set<string> {
  const grams = new Set<string>();
  for (let i = 0; i + 1 < text.length; i++) grams.add(text.slice(i, i + 2));
  return grams;
}

const LATIN_WORD_CHAR = /[a-z0-9]/u;

/** `term` occurs in `text`; a Latin term must start at a word start ("ai" is not in "said"). */
function containsTerm(text: string, term: string): boolean {
  const latin = LATIN_WORD_CHAR.test(term[0] ?? "");
  let from = 0;
  for (;;) {
    const at = text.indexOf(term, from);
    if (at < 0) return false;
    if (!latin || at === 0 || !LATIN_WORD_CHAR.test(text[at - 1] ?? "")) return true;
    from = at + 1;
  }
}

/** A growable list of text ids: 4 bytes a posting instead of a JS array's 8. */
class Postings {
  ids = new Int32Array(4);
  length = 0;

  push(id: number): void {
    if (this.length === this.ids.length) {
      const grown = new Int32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.length++] = id;
  }
}

/** Distinct quote texts (folded), the entries quoting each, and a bigram index over them. */
class TextTable {
  private readonly idByText = new Map<string, number>();
  /** Folded text by id; undefined once no quote uses it (ids are never reused). */
  private readonly texts: Array<string | undefined> = [];
  private readonly entries: QuoteEntry[][] = [];
  private readonly sorted: boolean[] = [];
  private readonly postings = new Map<string, Postings>();
  private deadTexts = 0;

  /** Registers an entry under its folded text and returns the text id. */
  add(entry: QuoteEntry): number {
    const raw = entry.quote.text;
    // Most text is already in folded form: try it as is before paying for NFKC.
    let id = this.idByText.get(raw);
    if (id === undefined) {
      const folded = foldText(raw);
      id = this.idByText.get(folded);
      if (id === undefined) {
        id = this.texts.length;
        this.idByText.set(folded, id);
        this.texts.push(folded);
        this.entries.push([]);
        this.sorted.push(true);
        this.post(folded, id);
      }
    }
    this.entries[id]?.push(entry);
    this.sorted[id] = false;
    return id;
  }

  private post(text: string, id: number): void {
    for (const gram of bigramsOf(text)) {
      let list = this.postings.get(gram);
      if (!list) this.postings.set(gram, (list = new Postings()));
      list.push(id);
    }
  }

  /** Called after entries were marked dead: drops them and retires texts nobody quotes any more. */
  release(textId: number): void {
    const list = this.entries[textId];
    if (!list) return;
    const alive = list.filter((e) => !e.dead);
    this.entries[textId] = alive;
    if (alive.length === 0 && list.length > 0) {
      const text = this.texts[textId];
      if (text !== undefined && this.idByText.get(text) === textId) this.idByText.delete(text);
      this.texts[textId] = undefined;
      this.deadTexts++;
      if (this.deadTexts > 1000 && this.deadTexts > this.idByText.size) this.compactPostings();
    }
  }

  /** Posting lists keep retired ids until too many pile up; then they are rebuilt from live texts. */
  private compactPostings(): void {
    this.postings.clear();
    // idByText iterates in insertion order, which is id order: the lists stay sorted.
    for (const [text, id] of this.idByText) this.post(text, id);
    this.deadTexts = 0;
  }

  /** Ids of live texts containing every term (terms already folded; each ≥ 2 characters long). */
  find(terms: string[]): number[] {
    let smallest: Postings | undefined;
    let grams = 0;
    for (const term of terms) {
      for (const gram of bigramsOf(term)) {
        grams++;
        const list = this.postings.get(gram);
        if (!list) return [];
        if (!smallest || list.length < smallest.length) smallest = list;
      }
    }
    if (!smallest) return [];
    // One CJK bigram is its own proof; anything longer, or Latin (word starts), is checked in the text.
    const exact = grams === 1 && !LATIN_WORD_CHAR.test(terms[0]?.[0] ?? "a");
    const out: number[] = [];
    let last = -1;
    for (let i = 0; i < smallest.length; i++) {
      const id = smallest.ids[i] ?? -1;
      if (id === last) continue;
      last = id;
      const text = this.texts[id];
      if (text === undefined) continue;
      if (exact || terms.every((t) => containsTerm(text, t))) out.push(id);
    }
    return out;
  }

  /** The folded text of an id. */
  textOf(textId: number): string {
    return this.texts[textId] ?? "";
  }

  /** The live entries quoting this text, newest first. */
  entriesOf(textId: number): QuoteEntry[] {
    const list = this.entries[textId] ?? [];
    if (!this.sorted[textId]) {
      const alive = list.filter((e) => !e.dead).sort(newestFirst);
      this.entries[textId] = alive;
      this.sorted[textId] = true;
      return alive;
    }
    return list;
  }
}

// ---- the index ----

/** Keys of an expert's forms that identify the same person in another article. */
function globalLinkKeys(expert: Expert, nameKey: string): string[] {
  const keys: string[] = [];
  // "曹教授" or "Mr Trump" as the only name is not enough: such a person stays in its article.
  if (nameKey && splitSurnameTitle(nameKey) === null) keys.push(nameKey);
  for (const alias of expert.aliases) {
    if (!isLatinName(alias)) continue;
    const key = normalizeName(alias);
    // A romanised full name: at least two words and no title ("Ryuta Ito", not "Mr Ito" or "Zainab").
    if (latinNameWords(key).length >= 2 && !hasLatinTitle(key)) keys.push(key);
  }
  return [...new Set(keys)];
}

/** Edit distance with an early exit once every cell exceeds `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      row.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = row;
  }
  return prev[b.length] ?? max + 1;
}

/** Substrings of length ≥ 2 of a CJK key, for partial name queries ("拜登" in "乔拜登"). */
function cjkSubstrings(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < key.length; i++) {
    for (let j = i + 2; j <= key.length; j++) if (j - i < key.length) out.push(key.slice(i, j));
  }
  return out;
}

/**
 * Topic words asked in one language and printed in another: a user types "supply chain" over a
 * mostly Chinese corpus. Small on purpose: each group is a set of forms of one topic.
 */
const TOPIC_GROUPS: readonly (readonly string[])[] = [
  ["supply chain", "供应链"],
  ["semiconductor", "半导体"],
  ["chip", "芯片"],
  ["tariff", "关税"],
  ["trade war", "贸易战"],
  ["artificial intelligence", "人工智能"],
  ["human rights", "人权"],
  ["democracy", "民主"],
  ["election", "选举"],
  ["sanction", "制裁"],
  ["national security", "国家安全"],
  ["export control", "出口管制"],
  ["pandemic", "疫情"],
  ["vaccine", "疫苗"],
  ["alliance", "同盟"],
  ["taiwan", "台湾"],
  ["hong kong", "香港"],
  ["south china sea", "南海"],
  ["press freedom", "新闻自由"],
];

function topicForms(folded: string): string[] {
  const singular = folded.replace(/s$/u, "");
  const group = TOPIC_GROUPS.find((g) => g.includes(folded) || g.includes(singular));
  return group ? [...group] : [folded];
}

/** What an expert's forms reduce to; shared by every mention with the same forms. */
interface ExpertShape {
  nameKey: string;
  aliasKeys: string[];
  /** Link keys valid in any article; empty when the expert is known only by surname + title. */
  linkKeys: string[];
  /** The role in the form titles are matched against (Simplified, lower case). */
  roleKey: string;
}

const SHAPE_CACHE_LIMIT = 100_000;

export function createQuoteIndex(): QuoteIndex {
  const articles = new Map<string, ArticleEntry>();
  const shapes = new Map<string, ExpertShape>();
  /** Identity key → person id (cached SHA-1), and back. */
  const idOfIdentity = new Map<string, string>();
  const linkOwner = new Map<string, PersonEntry>();
  /**
   * Name key → the persons some mention of which has that name (with how many mentions);
   * alias key → likewise. Counted per person so a query costs O(persons), not O(mentions).
   */
  const byName = new Map<string, Map<PersonEntry, number>>();
  const byAlias = new Map<string, Map<PersonEntry, number>>();
  /** For partial queries: piece of a name/alias key → full keys holding it. */
  const byCjkPrefix = new Map<string, Set<string>>();
  const byCjkSubstring = new Map<string, Set<string>>();
  const byLatinWord = new Map<string, Set<string>>();
  /** Person id (hash of a name key, or of an article-local key) → that key. */
  const keyById = new Map<string, string>();
  const persons = new Set<PersonEntry>();
  const texts = new TextTable();
  let quoteCount = 0;

  // -- partial-match key pieces --

  function indexKeyPieces(key: string): void {
    if (isCjkName(key)) {
      addTo(byCjkPrefix, key.slice(0, 1), key);
      addTo(byCjkPrefix, key.slice(0, 2), key);
      for (const piece of cjkSubstrings(key)) addTo(byCjkSubstring, piece, key);
    } else {
      for (const word of latinNameWords(key)) addTo(byLatinWord, word, key);
    }
  }

  function unindexKeyPieces(key: string): void {
    if (isCjkName(key)) {
      deleteFrom(byCjkPrefix, key.slice(0, 1), key);
      deleteFrom(byCjkPrefix, key.slice(0, 2), key);
      for (const piece of cjkSubstrings(key)) deleteFrom(byCjkSubstring, piece, key);
    } else {
      for (const word of latinNameWords(key)) deleteFrom(byLatinWord, word, key);
    }
  }

  function bump(map: Map<string, Map<PersonEntry, number>>, key: string, person: PersonEntry, delta: 1 | -1): void {
    let counts = map.get(key);
    if (!counts) {
      if (delta < 0) return;
      if (!byName.has(key) && !byAlias.has(key)) indexKeyPieces(key);
      map.set(key, (counts = new Map()));
    }
    const n = (counts.get(person) ?? 0) + delta;
    if (n > 0) counts.set(person, n);
    else counts.delete(person);
    if (counts.size === 0) {
      map.delete(key);
      if (!byName.has(key) && !byAlias.has(key)) unindexKeyPieces(key);
    }
  }

  /** Counts (delta 1) or uncounts (-1) a mention's name and aliases for its person. */
  function countKeys(m: Mention, delta: 1 | -1): void {
    bump(byName, m.nameKey, m.person, delta);
    for (const key of m.aliasKeys) bump(byAlias, key, m.person, delta);
  }

  /** Moves a mention to another person, keeping key counts and link ownership in step. */
  function move(m: Mention, to: PersonEntry): void {
    if (m.person === to) return;
    countKeys(m, -1);
    m.person = to;
    to.mentions.add(m);
    countKeys(m, 1);
    for (const key of m.linkKeys) linkOwner.set(key, to);
  }

  // -- persons --

  function identityKey(mention: Mention): string {
    return mention.linkKeys[0] ?? mention.nameKey;
  }

  function touch(person: PersonEntry): void {
    person.sorted = null;
    person.view = null;
    person.roleKeys = null;
    person.textCounts = null;
  }

  function newPerson(): PersonEntry {
    const person: PersonEntry = { mentions: new Set(), sorted: null, view: null, roleKeys: null, textCounts: null };
    persons.add(person);
    return person;
  }

  function attach(mention: Mention): void {
    const owners = new Set<PersonEntry>();
    for (const key of mention.linkKeys) {
      const owner = linkOwner.get(key);
      if (owner) owners.add(owner);
    }
    const [target = newPerson(), ...others] = owners;
    for (const other of others) {
      for (const m of other.mentions) move(m, target);
      persons.delete(other);
    }
    mention.person = target;
    target.mentions.add(mention);
    countKeys(mention, 1);
    for (const key of mention.linkKeys) linkOwner.set(key, target);
    touch(target);
  }

  /** After mentions left a person: drop it when empty, split it when what remains falls apart. */
  function regroup(person: PersonEntry): void {
    touch(person);
    if (person.mentions.size === 0) {
      persons.delete(person);
      return;
    }
    // Union-find over the remaining mentions by shared link keys.
    const members = [...person.mentions];
    const parent = members.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i] ?? i] ?? i;
      return i;
    };
    const firstWithKey = new Map<string, number>();
    members.forEach((m, i) => {
      for (const key of m.linkKeys) {
        const j = firstWithKey.get(key);
        if (j === undefined) firstWithKey.set(key, i);
        else parent[find(i)] = find(j);
      }
    });
    const groups = new Map<number, Mention[]>();
    members.forEach((m, i) => {
      const root = find(i);
      const group = groups.get(root);
      if (group) group.push(m);
      else groups.set(root, [m]);
    });
    if (groups.size === 1) return;
    // The first group stays in this entry; the others become persons of their own.
    const [, ...split] = groups.values();
    for (const group of split) {
      const target = newPerson();
      for (const m of group) {
        person.mentions.delete(m);
        move(m, target);
      }
      touch(target);
    }
  }

  /** Most frequent name key wins (ties: the lexically smallest), so the id does not depend on ingest order. */
  function canonicalMention(person: PersonEntry): Mention | undefined {
    const counts = new Map<string, { count: number; newest: Mention }>();
    for (const m of person.mentions) {
      const id = identityKey(m);
      const c = counts.get(id);
      if (!c) counts.set(id, { count: 1, newest: m });
      else {
        c.count++;
        if (m.article.article.publishedAt > c.newest.article.article.publishedAt) c.newest = m;
      }
    }
    let best: { key: string; count: number; newest: Mention } | undefined;
    for (const [key, c] of counts) {
      if (!best || c.count > best.count || (c.count === best.count && key < best.key)) best = { key, ...c };
    }
    return best?.newest;
  }

  function viewOf(person: PersonEntry): Person {
    if (person.view) return person.view;
    const canonical = canonicalMention(person);
    const name = canonical?.expert.name ?? "";
    const byNewest = [...person.mentions].sort(
      (a, b) => b.article.article.publishedAt - a.article.article.publishedAt,
    );
    const aliases: string[] = [];
    const seenAliasKeys = new Set([canonical?.nameKey ?? ""]);
    const roles: string[] = [];
    for (const m of byNewest) {
      for (const form of [m.expert.name, ...m.expert.aliases]) {
        const key = normalizeName(form);
        if (key && !seenAliasKeys.has(key)) {
          seenAliasKeys.add(key);
          aliases.push(form);
        }
      }
      if (m.expert.role && !roles.includes(m.expert.role)) roles.push(m.expert.role);
    }
    const id = canonical ? idOf(identityKey(canonical)) : shortId("");
    person.view = { id, name, aliases, roles };
    return person.view;
  }

  function quotesOf(person: PersonEntry): QuoteEntry[] {
    if (person.sorted) return person.sorted;
    const all: QuoteEntry[] = [];
    for (const m of person.mentions) for (const q of m.quotes) all.push(q);
    person.sorted = all.sort(newestFirst);
    return person.sorted;
  }

  function hitOf(entry: QuoteEntry, match: MatchKind): QuoteHit {
    return {
      person: viewOf(entry.mention.person),
      role: entry.mention.expert.role,
      quote: entry.quote,
      article: entry.mention.article.article,
      match,
    };
  }

  // -- writes --

  function shapeOf(expert: Expert): ExpertShape {
    const signature = `${expert.name}\u0000${expert.key}\u0000${expert.role}\u0000${expert.aliases.join("\u0001")}`;
    let shape = shapes.get(signature);
    if (shape) return shape;
    const nameKey = normalizeName(expert.name) || normalizeName(expert.key) || expert.key;
    shape = {
      nameKey,
      aliasKeys: [...new Set(expert.aliases.map((a) => normalizeName(a)).filter((k) => k && k !== nameKey))],
      linkKeys: globalLinkKeys(expert, nameKey),
      roleKey: toSimplified(expert.role.normalize("NFKC").toLowerCase()),
    };
    if (shapes.size >= SHAPE_CACHE_LIMIT) shapes.clear();
    shapes.set(signature, shape);
    return shape;
  }

  /** The person id an identity key gives (registered so that person(id) finds it). */
  function idOf(identity: string): string {
    let id = idOfIdentity.get(identity);
    if (id === undefined) {
      id = shortId(identity);
      idOfIdentity.set(identity, id);
      keyById.set(id, identity);
    }
    return id;
  }

  function remove(articleId: string): void {
    const entry = articles.get(articleId);
    if (!entry) return;
    articles.delete(articleId);
    const touched = new Set<PersonEntry>();
    const textIds = new Set<number>();
    for (const q of entry.quotes) {
      q.dead = true;
      textIds.add(q.textId);
    }
    quoteCount -= entry.quotes.length;
    for (const id of textIds) texts.release(id);
    for (const m of entry.mentions) {
      m.person.mentions.delete(m);
      touched.add(m.person);
      countKeys(m, -1);
      for (const key of m.linkKeys) if (linkOwner.get(key) === m.person) linkOwner.delete(key);
    }
    for (const person of touched) {
      // Keys still used by remaining mentions are re-owned by regroup.
      for (const m of person.mentions) for (const key of m.linkKeys) linkOwner.set(key, person);
      regroup(person);
    }
    for (const m of entry.mentions) {
      const identity = identityKey(m);
      const id = idOfIdentity.get(identity);
      if (!linkOwner.has(identity) && id !== undefined) {
        keyById.delete(id);
        idOfIdentity.delete(identity);
      }
    }
  }

  function upsert(article: IndexedArticle, quoteSet: QuoteSet): void {
    remove(article.id);
    const entry: ArticleEntry = { article, mentions: [], quotes: [] };
    const bySpeaker = new Map<string, Mention>();
    const mentionFor = (expert: Expert): Mention => {
      const { nameKey, aliasKeys, linkKeys, roleKey } = shapeOf(expert);
      const mention: Mention = {
        article: entry,
        expert,
        nameKey,
        linkKeys: linkKeys.length > 0 ? linkKeys : [`@${article.id}:${nameKey}`],
        aliasKeys,
        roleKey,
        person: undefined as unknown as PersonEntry, // set by attach() right below
        quotes: [],
      };
      attach(mention);
      entry.mentions.push(mention);
      idOf(identityKey(mention));
      return mention;
    };
    for (const expert of quoteSet.experts) {
      if (!bySpeaker.has(expert.key)) bySpeaker.set(expert.key, mentionFor(expert));
    }
    quoteSet.quotes.forEach((quote, order) => {
      const mention =
        bySpeaker.get(quote.speaker) ??
        // A quote whose speaker the expert list lacks still belongs to someone: keep it.
        mentionFor({ key: quote.speaker, name: quote.speaker, aliases: [], role: "" });
      bySpeaker.set(quote.speaker, mention);
      const q: QuoteEntry = { mention, quote, order, textId: -1, dead: false };
      q.textId = texts.add(q);
      mention.quotes.push(q);
      entry.quotes.push(q);
      touch(mention.person);
    });
    quoteCount += entry.quotes.length;
    articles.set(article.id, entry);
  }

  // -- reads --


  function roleKeysOf(person: PersonEntry): Set<string> {
    person.roleKeys ??= new Set([...person.mentions].map((m) => m.roleKey));
    return person.roleKeys;
  }

  /** How many of the person's quotes have each text id (to keep them out of the topic tier). */
  function textCountsOf(person: PersonEntry): Map<number, number> {
    if (person.textCounts) return person.textCounts;
    const counts = new Map<number, number>();
    for (const m of person.mentions) for (const q of m.quotes) counts.set(q.textId, (counts.get(q.textId) ?? 0) + 1);
    person.textCounts = counts;
    return counts;
  }

  /** The longest known name or alias that ends a CJK key ("北京大学的姚洋" → "姚洋"), if any. */
  function knownNameSuffix(key: string): string | undefined {
    if (!isCjkName(key)) return undefined;
    for (let i = Math.max(1, key.length - MAX_NAME_SUFFIX); i <= key.length - 2; i++) {
      const suffix = key.slice(i);
      if (byName.has(suffix) || byAlias.has(suffix)) return suffix;
    }
    return undefined;
  }

  /** Persons matching the query key in each tier; a person appears in its best tier only. */
  function personTiers(key: string): Array<{ match: MatchKind; persons: PersonEntry[] }> {
    const seen = new Set<PersonEntry>();
    const take = (candidates: Iterable<PersonEntry>, accept?: (p: PersonEntry) => boolean): PersonEntry[] => {
      const out: PersonEntry[] = [];
      for (const p of candidates) {
        if (seen.has(p) || quotesOf(p).length === 0 || (accept && !accept(p))) continue;
        seen.add(p);
        out.push(p);
      }
      return out;
    };
    /** Persons with the key as a name or an alias. */
    const takeKey = (k: string, accept?: (p: PersonEntry) => boolean): PersonEntry[] => {
      const out = take(byName.get(k)?.keys() ?? [], accept);
      const aliased = byAlias.get(k);
      return aliased ? out.concat(take(aliased.keys(), accept)) : out;
    };

    // Exact full name; a name with a title or an affiliation around it ("曹良铉教授", "总统蔡英文",
    // "President Donald Trump", "北京大学的姚洋") counts as the name.
    const nameKeys = [key];
    const withoutTitle = stripTitles(key);
    if (withoutTitle) nameKeys.push(withoutTitle);
    if (!nameKeys.some((k) => byName.has(k) || byAlias.has(k))) {
      const suffix = knownNameSuffix(key);
      if (suffix) nameKeys.push(suffix);
    }
    const name = nameKeys.flatMap((k) => take(byName.get(k)?.keys() ?? []));
    const alias = nameKeys.flatMap((k) => take(byAlias.get(k)?.keys() ?? []));

    const partial: PersonEntry[] = [];
    const st = splitSurnameTitle(key);
    if (st) {
      // A CJK surname starts a name key ("曹" of "曹良铉"); a Latin one is any word of a romanised name.
      const candidates = (isCjkName(st.surname) ? byCjkPrefix : byLatinWord).get(st.surname) ?? [];
      const fits = (p: PersonEntry): boolean =>
        st.roleWords.length === 0 || [...roleKeysOf(p)].some((role) => st.roleWords.some((w) => role.includes(w)));
      for (const k of candidates) partial.push(...takeKey(k, fits));
    } else if (isCjkName(key)) {
      if (key.length >= 2) for (const k of byCjkSubstring.get(key) ?? []) partial.push(...takeKey(k));
    } else {
      const words = latinNameWords(key);
      if (words.length === 1 && words[0]) {
        for (const k of byLatinWord.get(words[0]) ?? []) partial.push(...takeKey(k));
      }
    }
    return [
      { match: "name", persons: name },
      { match: "alias", persons: alias },
      { match: "partial", persons: partial },
    ];
  }

  /** Ids of quote texts containing the query's words, in either script (and the glossary's other language). */
  function topicTextIds(query: string): number[] {
    const folded = foldText(query).trim();
    if ([...folded.replace(/\s+/gu, "")].length < 2) return [];
    const variants = new Set<string>();
    for (const form of topicForms(toSimplified(folded))) {
      variants.add(form);
      variants.add(toTraditional(form));
    }
    variants.add(folded);
    const textIds = new Set<number>();
    for (const variant of variants) {
      const terms = variant.split(/\s+/u).filter((t) => t.length > 0);
      // Terms of one character cannot use the bigram index; they only narrow longer ones.
      const indexed = terms.filter((t) => t.length >= 2);
      if (indexed.length === 0) continue;
      for (const id of texts.find(indexed)) {
        if (indexed.length === terms.length || terms.every((t) => containsTerm(texts.textOf(id), t))) textIds.add(id);
      }
    }
    return [...textIds];
  }

  /** Topic hits: quotes with those texts, minus those of people already matched by name. */
  function topicGroup(query: string, matched: PersonEntry[]): { lists: QuoteEntry[][]; total: number } {
    const ids = topicTextIds(query);
    const lists: QuoteEntry[][] = [];
    let total = 0;
    for (const id of ids) {
      const entries = texts.entriesOf(id);
      if (entries.length === 0) continue;
      lists.push(entries);
      total += entries.length;
    }
    // Subtract the matched people's own quotes, walking whichever side is smaller.
    const idSet = new Set(ids);
    for (const p of matched) {
      const counts = textCountsOf(p);
      if (counts.size < idSet.size) {
        for (const [id, n] of counts) if (idSet.has(id)) total -= n;
      } else {
        for (const id of ids) total -= counts.get(id) ?? 0;
      }
    }
    return { lists, total };
  }

  /** Name keys sharing a first character, a character pair or a romanised word with the query. */
  function suggestionCandidates(key: string): Set<string> {
    const out = new Set<string>();
    const addAll = (keys: Iterable<string> | undefined): void => {
      for (const k of keys ?? []) {
        if (out.size >= MAX_SUGGESTION_CANDIDATES) return;
        if (byName.has(k)) out.add(k);
      }
    };
    if (isCjkName(key)) {
      for (let i = 0; i + 1 < key.length; i++) addAll(byCjkPrefix.get(key.slice(i, i + 2)));
      for (let i = 0; i + 1 < key.length; i++) addAll(byCjkSubstring.get(key.slice(i, i + 2)));
      addAll(byCjkPrefix.get(key.slice(0, 1)));
    } else {
      for (const word of latinNameWords(key)) addAll(byLatinWord.get(word));
    }
    return out;
  }

  function suggestionsFor(key: string): string[] {
    if (!key) return [];
    const max = Math.max(1, Math.floor([...key].length / 3));
    const scored: Array<{ name: string; distance: number }> = [];
    const seen = new Set<PersonEntry>();
    for (const candidate of suggestionCandidates(key)) {
      const d = editDistance(key, candidate, max);
      if (d > max) continue;
      for (const p of byName.get(candidate)?.keys() ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        scored.push({ name: viewOf(p).name, distance: d });
      }
    }
    scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
    return [...new Set(scored.map((s) => s.name))].slice(0, MAX_SUGGESTIONS);
  }

  function search(query: string, page: QuotePage): QuoteSearchResult {
    const empty: QuoteSearchResult = { total: 0, hits: [], match: null, suggestions: [] };
    if (query.length > MAX_QUERY_LENGTH) return empty;
    const stripped = stripQueryFraming(query);
    if (!stripped) return empty;
    const key = normalizeName(stripped);
    const { offset, limit } = clampPage(page);

    const groups: Array<{ match: MatchKind; lists: QuoteEntry[][]; size: number; excluded?: Set<PersonEntry> }> = [];
    const matched = new Set<PersonEntry>();
    if (key) {
      for (const tier of personTiers(key)) {
        if (tier.persons.length === 0) continue;
        for (const p of tier.persons) matched.add(p);
        const lists = tier.persons.map(quotesOf);
        groups.push({ match: tier.match, lists, size: lists.reduce((n, l) => n + l.length, 0) });
      }
    }
    const topic = topicGroup(stripped, [...matched]);
    if (topic.total > 0) groups.push({ match: "topic", lists: topic.lists, size: topic.total, excluded: matched });

    // Page across the tiers in rank order.
    let total = 0;
    const hits: QuoteHit[] = [];
    let skip = offset;
    for (const group of groups) {
      total += group.size;
      if (hits.length >= limit) continue;
      if (skip >= group.size) {
        skip -= group.size;
        continue;
      }
      const excluded = group.excluded;
      const keep = excluded && excluded.size > 0 ? (e: QuoteEntry) => !excluded.has(e.mention.person) : undefined;
      for (const e of mergeNewestFirst(group.lists, skip, limit - hits.length, keep)) hits.push(hitOf(e, group.match));
      skip = 0;
    }
    const match = groups[0]?.match ?? null;
    return { total, hits, match, suggestions: total === 0 ? suggestionsFor(key) : [] };
  }

  function personEntry(id: string): PersonEntry | undefined {
    const identity = keyById.get(id);
    if (identity === undefined) return undefined;
    return linkOwner.get(identity);
  }

  return {
    upsert,
    remove,
    search,
    person(id) {
      const p = personEntry(id);
      return p ? viewOf(p) : undefined;
    },
    personQuotes(id, page) {
      const p = personEntry(id);
      if (!p) return { total: 0, hits: [] };
      const { offset, limit } = clampPage(page);
      const all = quotesOf(p);
      return { total: all.length, hits: all.slice(offset, offset + limit).map((e) => hitOf(e, "name")) };
    },
    articleQuotes(articleId) {
      const entry = articles.get(articleId);
      if (!entry) return [];
      return [...entry.quotes]
        .sort((a, b) => a.quote.paragraph - b.quote.paragraph || a.order - b.order)
        .map((e) => hitOf(e, "name"));
    },
    topExperts(limit) {
      const rows: Array<{ person: PersonEntry; quotes: number; articles: number }> = [];
      for (const p of persons) {
        let quotes = 0;
        const withQuotes = new Set<ArticleEntry>();
        for (const m of p.mentions) {
          quotes += m.quotes.length;
          if (m.quotes.length > 0) withQuotes.add(m.article);
        }
        if (quotes > 0) rows.push({ person: p, quotes, articles: withQuotes.size });
      }
      const ranked = rows.map((r) => ({ person: viewOf(r.person), quotes: r.quotes, articles: r.articles }));
      // Ties broken by name and id so that the order does not depend on ingest order.
      ranked.sort(
        (a, b) =>
          b.quotes - a.quotes ||
          b.articles - a.articles ||
          (a.person.name < b.person.name ? -1 : a.person.name > b.person.name ? 1 : 0) ||
          (a.person.id < b.person.id ? -1 : a.person.id > b.person.id ? 1 : 0),
      );
      return ranked.slice(0, Math.max(0, limit));
    },
    stats() {
      return { articles: articles.size, persons: persons.size, quotes: quoteCount };
    },
  };
}
