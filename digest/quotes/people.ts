/**
 * The people an article quotes, built as the article is read: every surface form it uses
 * (full name, romanised name, surname + title, short form) points to one record, so a later
 * "曹教授", "韦恩斯坦" or "Mr Cohen" resolves to the person introduced earlier — the most
 * recently active one when two share a surname.
 *
 * The readers ask this registry about almost every candidate subject, so it keeps two indexes
 * beside the records, kept up to date as records change: the known forms by their last
 * character (for `knownEndingAt`) and, per surface form looked up, which records it matches
 * (for `find`). Records must therefore change only through this class.
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

/** Every HONORIFIC word starts with a capital A–Z: any other first character cannot match, no regex needed. */
function mayHaveHonorific(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 65 && c <= 90;
}

function withoutHonorific(name: string): string {
  return mayHaveHonorific(name) ? name.replace(HONORIFIC, "") : name;
}

/** The word-edge test of a Latin form ("Cohen" must not match inside "McCohen"), on a code unit. */
function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

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
    hit = withoutHonorific(name).split(/\s+/u).filter((w) => w.length > 0);
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

let zhTitles: Set<string> | undefined;

/** Chinese titles in both scripts, built on first use (once, not per article: it needs OpenCC). */
function titleSet(): Set<string> {
  zhTitles ??= new Set(withTraditional(ZH_TITLES));
  return zhTitles;
}

function surnameOf(name: string): string | null {
  if (!cjk(name) || DOTS.test(name) || name.length < 2 || name.length > 4) return null;
  for (const c of COMPOUND_SURNAMES) if (name.startsWith(c) && name.length > 2) return c;
  return name.slice(0, 1);
}

/** A person's name as register reads it. */
interface ReadSurface {
  /** Trimmed, a doubled romanised name undone. */
  written: string;
  /** Without a leading honorific ("Mr Pompeo" → "Pompeo"). */
  surface: string;
  /** The last part of a dotted Han transliteration ("韦恩斯坦"), a form later text uses alone. */
  shortForm: string | null;
}

const surfaceCache = new Map<string, ReadSurface>();

/** Memoised: the same names are registered again at every mention, in every article. */
function readSurface(raw: string): ReadSurface {
  let hit = surfaceCache.get(raw);
  if (hit === undefined) {
    const written = undoubleName(raw.trim());
    const surface = withoutHonorific(written);
    hit = { written, surface, shortForm: cjk(surface) && DOTS.test(surface) ? lastPart(surface) : null };
    if (surfaceCache.size > 20_000) surfaceCache.clear();
    surfaceCache.set(raw, hit);
  }
  return hit;
}

/**
 * A name's parts as sameByParts compares them. A class with lazily filled fields rather than
 * closures: one is built per lookup miss and per record, and most parts are never asked for.
 */
class NameShape {
  readonly cjk: boolean;
  /** A dotted Han transliteration ("乔·拜登"); false for every Latin name, which is never compared by parts this way. */
  readonly dotted: boolean;
  /** Latin words to compare: the name's own, or for a Han name its romanised form's. */
  readonly tokens: readonly string[];
  private lastKeyMemo: string | undefined;
  private surnameMemo: string | null | undefined;
  private lowerTokensMemo: readonly string[] | undefined;
  private romanizedKeyMemo: string | null | undefined;

  constructor(
    readonly name: string,
    readonly romanized: string | null,
  ) {
    this.cjk = cjk(name);
    this.dotted = this.cjk && DOTS.test(name);
    this.tokens = latinTokens(this.cjk ? (romanized ?? "") : name);
  }

  /** Key of the last part of a transliteration ("韦恩斯坦"). */
  lastKey(): string {
    return (this.lastKeyMemo ??= normalizeName(lastPart(this.name)));
  }

  /** Only records need it: a lookup's own shape never does. */
  surname(): string | null {
    if (this.surnameMemo === undefined) this.surnameMemo = surnameOf(this.name);
    return this.surnameMemo;
  }

  /** Han names never compare Latin words. */
  lowerTokens(): readonly string[] {
    return (this.lowerTokensMemo ??= this.tokens.map((w) => w.toLowerCase()));
  }

  /** normalizeName of the romanised name, compared against every lookup's. */
  romanizedKey(): string | null {
    if (this.romanizedKeyMemo === undefined) this.romanizedKeyMemo = this.romanized !== null ? normalizeName(this.romanized) : null;
    return this.romanizedKeyMemo;
  }
}

/** A surface (and romanised name) as find looks it up, with its verdict on each record by id. */
interface Lookup {
  /** The surface trimmed, as compared. */
  surface: string;
  key: string;
  romanizedKey: string | null;
  /** The registry's generation when `matches` was last brought up to date. */
  generation: number;
  matches: boolean[];
}

/** A known form as knownEndingAt tries it. */
interface IndexedForm {
  form: string;
  /** Latin forms match only at a word edge ("Cohen" must not match "McCohen"). */
  latin: boolean;
}

export class ArticlePeople implements KnownPeople {
  readonly records: PersonRecord[] = [];
  private clock = 0;

  /**
   * Every distinct form of every record, by the code unit it ends with, longest first. Two
   * forms of one length that both end at the same place in a text are the same string, so
   * the first hit in this order is what a scan of every form of every record would keep.
   */
  private readonly formsByLastChar = new Map<number, IndexedForm[]>();
  private readonly allForms = new Set<string>();
  private hasEmptyForm = false;

  /**
   * find's verdict on every record, per surface and romanised name. Whether a record matches
   * depends only on its keys, name and romanised name, so a verdict is redone only for records
   * whose name or romanised name changed since it was given (or that are new); a new key sets
   * the verdicts of the lookups with that key directly. Activity (lastActive) is read afresh
   * on every lookup.
   */
  private readonly lookups = new Map<string, Lookup>();
  private readonly romanizedLookups = new Map<string, Map<string, Lookup>>();
  private readonly lookupsByKey = new Map<string, Lookup[]>();
  /** Bumped when a record is added or renamed; `changedAt[id]` is its last value for a record. */
  private generation = 0;
  private readonly changedAt: number[] = [];

  knownEndingAt(s: string, end: number): string | null {
    // Compared in place at `end` (the text before it, without slicing it off).
    const limit = Math.min(Math.max(end, 0), s.length);
    if (!Number.isInteger(limit)) return this.knownEndingAtByScan(s, limit);
    if (limit > 0) {
      const bucket = this.formsByLastChar.get(s.charCodeAt(limit - 1));
      if (bucket !== undefined) {
        for (const { form, latin } of bucket) {
          const start = limit - form.length;
          if (start < 0 || !s.startsWith(form, start)) continue;
          if (latin && start > 0 && isAsciiLetter(s.charCodeAt(start - 1))) continue;
          return form;
        }
      }
    }
    // An empty form (an empty surface was registered) "ends" anywhere, and loses to any other.
    if (this.hasEmptyForm && !(limit > 0 && isAsciiLetter(s.charCodeAt(limit - 1)))) return "";
    return null;
  }

  /** The plain scan over every form, for a fractional or NaN `end` (which no reader passes). */
  private knownEndingAtByScan(s: string, limit: number): string | null {
    let best: string | null = null;
    for (const r of this.records) {
      for (const f of r.forms) {
        if (f.length > limit || (best !== null && f.length <= best.length)) continue;
        if (s.startsWith(f, limit - f.length)) {
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
    // Nobody met yet (the first subjects of an article): nothing to remember either.
    if (this.records.length === 0) return null;
    const lookup = this.lookup(surface, romanized);
    const matches = lookup.matches;
    // The most recently active; the earliest record on a tie.
    let best: PersonRecord | null = null;
    for (const r of this.records) {
      if (matches[r.id] === true && (best === null || r.lastActive > best.lastActive)) best = r;
    }
    return best;
  }

  /** The lookup for a surface as written (untrimmed), its verdicts brought up to date with the records. */
  private lookup(surface: string, romanized: string | null): Lookup {
    let lookup: Lookup | undefined;
    let byRomanized: Map<string, Lookup> | undefined;
    if (romanized === null) lookup = this.lookups.get(surface);
    else {
      byRomanized = this.romanizedLookups.get(surface);
      if (byRomanized === undefined) {
        byRomanized = new Map();
        this.romanizedLookups.set(surface, byRomanized);
      }
      lookup = byRomanized.get(romanized);
    }
    if (lookup === undefined) {
      const s = surface.trim();
      lookup = { surface: s, key: normalizeName(s), romanizedKey: romanized !== null ? normalizeName(romanized) : null, generation: -1, matches: [] };
      if (byRomanized === undefined) this.lookups.set(surface, lookup);
      else byRomanized.set(romanized!, lookup);
      const sameKey = this.lookupsByKey.get(lookup.key);
      if (sameKey === undefined) this.lookupsByKey.set(lookup.key, [lookup]);
      else sameKey.push(lookup);
    }
    if (lookup.generation !== this.generation) {
      for (const r of this.records) {
        if (this.changedAt[r.id]! > lookup.generation) lookup.matches[r.id] = this.refersTo(r, lookup);
      }
      lookup.generation = this.generation;
    }
    return lookup;
  }

  private refersTo(r: PersonRecord, lookup: Lookup): boolean {
    if (r.keys.has(lookup.key)) return true;
    if (lookup.romanizedKey !== null && r.romanized !== null && this.shapeOf(r).romanizedKey() === lookup.romanizedKey) return true;
    return this.sameByParts(r, lookup.surface);
  }

  /** Notes that a record is new or its name or romanised name changed: lookups must look at it again. */
  private changed(r: PersonRecord): void {
    this.changedAt[r.id] = ++this.generation;
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
        if (titleSet().has(title)) return true;
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

  /** What sameByParts needs of a surface form, computed once per lookup rather than once per record. */
  private lastQuery: NameShape | undefined;
  private query(s: string): NameShape {
    if (this.lastQuery === undefined || this.lastQuery.name !== s) this.lastQuery = new NameShape(s, null);
    return this.lastQuery;
  }

  /** The same for a record, recomputed only when its name or romanised name changes. */
  private shapes: Array<NameShape | undefined> = [];
  private shapeOf(r: PersonRecord): NameShape {
    // Record ids are their indexes in `records`: an array slot per record, no hashing.
    let hit = this.shapes[r.id];
    if (hit === undefined || hit.name !== r.name || hit.romanized !== r.romanized) {
      hit = new NameShape(r.name, r.romanized);
      this.shapes[r.id] = hit;
    }
    return hit;
  }

  /** Adds a form to a record and to the indexes. */
  private addForm(r: PersonRecord, form: string): void {
    if (r.forms.has(form)) return;
    r.forms.add(form);
    const key = normalizeName(form);
    if (!r.keys.has(key)) {
      r.keys.add(key);
      // A new key only makes the lookups of that very key match the record.
      const sameKey = this.lookupsByKey.get(key);
      if (sameKey !== undefined) for (const lookup of sameKey) lookup.matches[r.id] = true;
    }
    if (this.allForms.has(form)) return;
    this.allForms.add(form);
    if (form.length === 0) {
      this.hasEmptyForm = true;
      return;
    }
    const last = form.charCodeAt(form.length - 1);
    let bucket = this.formsByLastChar.get(last);
    if (bucket === undefined) {
      bucket = [];
      this.formsByLastChar.set(last, bucket);
    }
    let at = 0;
    while (at < bucket.length && bucket[at]!.form.length >= form.length) at++;
    bucket.splice(at, 0, { form, latin: !cjk(form) });
  }

  /** Records a mention of a person and returns its record. */
  register(ref: Extract<SubjectRef, { type: "person" }>): PersonRecord {
    const { written, surface, shortForm } = readSurface(ref.surface);
    // "Mr Pompeo": the name is "Pompeo"; the form with the honorific is an alias.
    if (surface !== written) {
      const r = this.register({ ...ref, surface });
      this.addForm(r, written);
      return r;
    }
    const romanized = ref.romanized !== null ? readSurface(ref.romanized).written : null;
    let r = this.find(surface, romanized);
    if (r === null) {
      r = { id: this.records.length, name: surface, forms: new Set(), keys: new Set(), romanized, role: ref.role, lastActive: 0 };
      this.records.push(r);
      this.changed(r);
      this.addForm(r, surface);
    } else {
      this.addForm(r, surface);
      if (romanized !== null && r.romanized === null) {
        r.romanized = romanized;
        this.changed(r);
      }
      if (this.isFullerForm(surface, r.name)) {
        r.name = surface;
        this.changed(r);
      }
      if (r.role.length === 0 && ref.role.length > 0) r.role = ref.role;
    }
    if (romanized !== null) this.addForm(r, romanized);
    // Short forms later text may use on their own: the last part of a transliteration.
    if (shortForm !== null) this.addForm(r, shortForm);
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
    if (mayHaveHonorific(candidate) && HONORIFIC.test(candidate)) return false;
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
      const nameKey = normalizeName(r.name);
      let key = nameKey || `person-${r.id}`;
      for (let n = 2; used.has(key); n++) key = `${nameKey}#${n}`;
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
