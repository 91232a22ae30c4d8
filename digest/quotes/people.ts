/**
 * The people an article quotes, built as the article is read: every surface form it uses
 * (full name, romanised name, surname + title, short form) points to one record, so a later
 * "曹教授", "韦恩斯坦" or "Mr Cohen" resolves to the person introduced earlier — the most
 * recently active one when two share a surname.
 */
import type { Expert } from "../types.js";
import type { KnownPeople, SubjectRef } from "./model.js";
import { isCjkName, normalizeName, toSimplified, toTraditional, undoubleName } from "../names.js";
import { ZH_TITLES, withTraditional } from "./zh-lexicon.js";

export interface PersonRecord {
  id: number;
  name: string;
  forms: Set<string>;
  /** normalizeName of every form, for lookups. */
  keys: Set<string>;
  romanized: string | null;
  role: string;
  lastActive: number;
}

const DOTS = /[·•‧・\-－‐]/u;
const HONORIFIC = /^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|President|President-elect|Senator|General|Governor|Judge|Sir|Ambassador|Minister|Secretary|Mayor)\.?\s+/u;
const COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "歐陽", "司馬", "諸葛"];

const otherScript = new Map<string, string[]>();

/** The name in Simplified and Traditional script (memoised: OpenCC is slow per call). */
function scripts(name: string): string[] {
  let hit = otherScript.get(name);
  if (hit === undefined) {
    hit = [toSimplified(name), toTraditional(name)];
    if (otherScript.size > 20_000) otherScript.clear();
    otherScript.set(name, hit);
  }
  return hit;
}

function lastPart(name: string): string {
  const parts = name.split(DOTS);
  return parts[parts.length - 1] ?? name;
}

const tokenCache = new Map<string, readonly string[]>();

/** The words of a Latin name without its honorific (memoised: names recur in every lookup). */
function latinTokens(name: string): readonly string[] {
  let hit = tokenCache.get(name);
  if (hit === undefined) {
    hit = name.replace(HONORIFIC, "").split(/\s+/u).filter((w) => w.length > 0);
    if (tokenCache.size > 20_000) tokenCache.clear();
    tokenCache.set(name, hit);
  }
  return hit;
}

const cjkCache = new Map<string, boolean>();

/** isCjkName, memoised: the same few names are tested for every record on every lookup. */
function cjk(name: string): boolean {
  let hit = cjkCache.get(name);
  if (hit === undefined) {
    hit = isCjkName(name);
    if (cjkCache.size > 20_000) cjkCache.clear();
    cjkCache.set(name, hit);
  }
  return hit;
}

function surnameOf(name: string): string | null {
  if (!cjk(name) || DOTS.test(name) || name.length < 2 || name.length > 4) return null;
  for (const c of COMPOUND_SURNAMES) if (name.startsWith(c) && name.length > 2) return c;
  return name.slice(0, 1);
}

function addForm(r: PersonRecord, form: string): void {
  if (r.forms.has(form)) return;
  r.forms.add(form);
  r.keys.add(normalizeName(form));
}

/** A name's parts as sameByParts compares them. */
interface NameShape {
  name: string;
  romanized: string | null;
  cjk: boolean;
  dotted: boolean;
  /** Key of the last part of a transliteration ("韦恩斯坦"), computed on first use. */
  lastKey: () => string;
  /** Computed on first use: a lookup's own shape never needs it. */
  surname: () => string | null;
  /** Latin words to compare: the name's own, or for a Han name its romanised form's. */
  tokens: readonly string[];
  /** Computed on first use: Han names never compare Latin words. */
  lowerTokens: () => readonly string[];
}

function shape(name: string, romanized: string | null): NameShape {
  const isCjk = cjk(name);
  let lastKey: string | undefined;
  let surname: string | null | undefined;
  let lowerTokens: readonly string[] | undefined;
  const tokens = latinTokens(isCjk ? (romanized ?? "") : name);
  return {
    name,
    romanized,
    cjk: isCjk,
    dotted: DOTS.test(name),
    lastKey: () => (lastKey ??= normalizeName(lastPart(name))),
    surname: () => (surname === undefined ? (surname = surnameOf(name)) : surname),
    tokens,
    lowerTokens: () => (lowerTokens ??= tokens.map((w) => w.toLowerCase())),
  };
}

export class ArticlePeople implements KnownPeople {
  readonly records: PersonRecord[] = [];
  private clock = 0;
  private titles: string[] | undefined;

  private titleList(): string[] {
    this.titles ??= withTraditional(ZH_TITLES);
    return this.titles;
  }

  knownEndingAt(s: string, end: number): string | null {
    let best: string | null = null;
    // Compared in place at `end` (the text before it, without slicing it off).
    const limit = Math.min(Math.max(end, 0), s.length);
    for (const r of this.records) {
      for (const f of r.forms) {
        if (f.length > limit || (best !== null && f.length <= best.length)) continue;
        if (s.startsWith(f, limit - f.length)) {
          // Only at a word edge for Latin forms ("Cohen" must not match "McCohen").
          const prev = limit - f.length - 1 >= 0 ? s[limit - f.length - 1] : undefined;
          if (!cjk(f) && prev !== undefined && /[A-Za-z]/u.test(prev)) continue;
          best = f;
        }
      }
    }
    return best;
  }

  isKnown(surface: string): boolean {
    return this.find(surface, null) !== null;
  }

  /** The record a surface form (and romanised name) refers to, if any. */
  find(surface: string, romanized: string | null): PersonRecord | null {
    const s = surface.trim();
    const key = normalizeName(s);
    const romKey = romanized !== null ? normalizeName(romanized) : null;
    const candidates: PersonRecord[] = [];
    for (const r of this.records) {
      if (r.keys.has(key)) candidates.push(r);
      else if (romKey !== null && r.romanized !== null && normalizeName(r.romanized) === romKey) candidates.push(r);
      else if (this.sameByParts(r, s)) candidates.push(r);
    }
    if (candidates.length === 0) return null;
    return candidates.reduce((a, b) => (b.lastActive > a.lastActive ? b : a));
  }

  private sameByParts(r: PersonRecord, s: string): boolean {
    const q = this.query(s);
    const own = this.shapeOf(r);
    if (q.cjk) {
      if (!own.cjk) return false;
      // 韦恩斯坦 ↔ 艾米莉·韦恩斯坦, 拜登 ↔ 乔·拜登
      if (q.dotted || own.dotted) {
        const a = q.lastKey();
        const b = own.lastKey();
        if (a === b && a.length >= 2) return true;
      }
      // 曹教授 → 曹良铉
      const surname = own.surname();
      if (surname !== null && s.startsWith(surname) && s.length > surname.length) {
        const title = s.slice(surname.length);
        if (this.titleSet().has(title)) return true;
      }
      return false;
    }
    const toks = q.lowerTokens();
    const ownTokens = own.lowerTokens();
    if (toks.length === 0 || ownTokens.length === 0) return false;
    const sLast = toks[toks.length - 1]!;
    const rLast = ownTokens[ownTokens.length - 1]!;
    // "Mr Cohen", "Cohen" ↔ "Eliot Cohen"; "Zainab" ↔ "Maasi Zainab"
    if (toks.length === 1 || ownTokens.length === 1) return sLast === rLast || (toks.length === 1 && ownTokens.length === 1 && q.tokens[0] === own.tokens[0]);
    // Two full names must agree on every word of the shorter one.
    if (sLast !== rLast) return false;
    const [short, long] = toks.length <= ownTokens.length ? [toks, ownTokens] : [ownTokens, toks];
    return short.every((w) => long.includes(w));
  }

  private titleSetCache: Set<string> | undefined;
  private titleSet(): Set<string> {
    this.titleSetCache ??= new Set(this.titleList());
    return this.titleSetCache;
  }

  /** What sameByParts needs of a surface form, computed once per lookup rather than once per record. */
  private lastQuery: NameShape | undefined;
  private query(s: string): NameShape {
    if (this.lastQuery === undefined || this.lastQuery.name !== s || this.lastQuery.romanized !== null) this.lastQuery = shape(s, null);
    return this.lastQuery;
  }

  /** The same for a record, recomputed only when its name or romanised name changes. */
  private shapes: Array<NameShape | undefined> = [];
  private shapeOf(r: PersonRecord): NameShape {
    // Record ids are their indexes in `records`: an array slot per record, no hashing.
    let hit = this.shapes[r.id];
    if (hit === undefined || hit.name !== r.name || hit.romanized !== r.romanized) {
      hit = shape(r.name, r.romanized);
      this.shapes[r.id] = hit;
    }
    return hit;
  }

  /** Records a mention of a person and returns its record. */
  register(ref: Extract<SubjectRef, { type: "person" }>): PersonRecord {
    const written = undoubleName(ref.surface.trim());
    // "Mr Pompeo": the name is "Pompeo"; the form with the honorific is an alias.
    const surface = written.replace(HONORIFIC, "");
    if (surface !== written) {
      const r = this.register({ ...ref, surface });
      addForm(r, written);
      return r;
    }
    const romanized = ref.romanized !== null ? undoubleName(ref.romanized) : null;
    let r = this.find(surface, romanized);
    if (r === null) {
      r = { id: this.records.length, name: surface, forms: new Set(), keys: new Set(), romanized, role: ref.role, lastActive: 0 };
      this.records.push(r);
      addForm(r, surface);
    } else {
      addForm(r, surface);
      if (romanized !== null && r.romanized === null) r.romanized = romanized;
      if (this.isFullerForm(surface, r.name)) r.name = surface;
      if (r.role.length === 0 && ref.role.length > 0) r.role = ref.role;
    }
    if (romanized !== null) addForm(r, romanized);
    // Short forms later text may use on their own: the last part of a transliteration.
    if (cjk(surface) && DOTS.test(surface)) addForm(r, lastPart(surface));
    r.lastActive = ++this.clock;
    return r;
  }

  note(ref: Extract<SubjectRef, { type: "person" }>): void {
    const r = this.register(ref);
    r.lastActive = --this.noted; // known from now on, but not "more recent" than real speakers
  }
  private noted = 0;

  touch(r: PersonRecord): void {
    r.lastActive = ++this.clock;
  }

  private isFullerForm(candidate: string, current: string): boolean {
    if (candidate.length <= current.length) return false;
    if (cjk(candidate) !== cjk(current)) return false;
    if (HONORIFIC.test(candidate)) return false;
    if (cjk(candidate)) return DOTS.test(candidate) && lastPart(candidate) === lastPart(current);
    const c = latinTokens(candidate);
    const o = latinTokens(current);
    return c.length > o.length && c[c.length - 1] === o[o.length - 1];
  }

  /** Experts as the article presents them; `keyOf` gives each record's stable key. */
  toExperts(): { experts: Expert[]; keyOf: Map<number, string> } {
    const keyOf = new Map<number, string>();
    const used = new Set<string>();
    const experts: Expert[] = [];
    for (const r of this.records) {
      let key = normalizeName(r.name) || `person-${r.id}`;
      for (let n = 2; used.has(key); n++) key = `${normalizeName(r.name)}#${n}`;
      used.add(key);
      keyOf.set(r.id, key);
      const aliases = new Set<string>();
      for (const f of r.forms) if (f !== r.name) aliases.add(f);
      if (r.romanized !== null) aliases.add(r.romanized);
      if (cjk(r.name)) {
        const [simplified = r.name, traditional = r.name] = scripts(r.name);
        if (simplified !== r.name) aliases.add(simplified);
        if (traditional !== r.name) aliases.add(traditional);
      }
      aliases.delete(r.name);
      experts.push({ key, name: r.name, aliases: [...aliases], role: r.role });
    }
    return { experts, keyOf };
  }
}
