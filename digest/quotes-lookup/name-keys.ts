/**
 * Which persons go by which name and alias keys, and the pieces of those keys partial queries
 * look up ("曹" of "曹良铉", "拜登" in "乔拜登", "trump" of "donald trump").
 */
import { isCjkName, latinNameWords } from "../names.js";
import type { Mention, PersonEntry } from "./model.js";
import { addTo, deleteFrom } from "./multimap.js";

/** Person → how many of its mentions carry the key. */
type PersonCounts = Map<PersonEntry, number>;
type KeyPieces = Map<string, Set<string>>;

/** Substrings of length ≥ 2 of a CJK key, for partial name queries ("拜登" in "乔拜登"). */
function cjkSubstrings(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < key.length; i++) {
    for (let j = i + 2; j <= key.length; j++) if (j - i < key.length) out.push(key.slice(i, j));
  }
  return out;
}

export class NameKeyIndex {
  /**
   * Name key → the persons some mention of which has that name (with how many mentions);
   * alias key → likewise. Counted per person so a query costs O(persons), not O(mentions).
   */
  private readonly byName = new Map<string, PersonCounts>();
  private readonly byAlias = new Map<string, PersonCounts>();
  /** For partial queries: piece of a name/alias key → full keys holding it. */
  private readonly byCjkPrefix: KeyPieces = new Map();
  private readonly byCjkSubstring: KeyPieces = new Map();
  private readonly byLatinWord: KeyPieces = new Map();

  /** Counts (delta 1) or uncounts (-1) a mention's name and aliases for its person. */
  count(m: Mention, delta: 1 | -1): void {
    this.bump(this.byName, m.nameKey, m.person, delta);
    for (const key of m.aliasKeys) this.bump(this.byAlias, key, m.person, delta);
  }

  /** Some person has this name key. */
  isName(key: string): boolean {
    return this.byName.has(key);
  }

  /** Some person has this name or alias key. */
  isKnown(key: string): boolean {
    return this.byName.has(key) || this.byAlias.has(key);
  }

  personsNamed(key: string): Iterable<PersonEntry> {
    return this.byName.get(key)?.keys() ?? [];
  }

  /** Undefined when no one has the alias: most keys are nobody's alias, and a partial query visits hundreds. */
  personsAliased(key: string): Iterable<PersonEntry> | undefined {
    return this.byAlias.get(key)?.keys();
  }

  /** Keys starting with a CJK surname or first two characters. */
  keysWithCjkPrefix(prefix: string): Iterable<string> | undefined {
    return this.byCjkPrefix.get(prefix);
  }

  /** Keys holding a CJK piece of at least two characters (shorter than the key). */
  keysWithCjkSubstring(piece: string): Iterable<string> | undefined {
    return this.byCjkSubstring.get(piece);
  }

  /** Romanised keys with this word. */
  keysWithLatinWord(word: string): Iterable<string> | undefined {
    return this.byLatinWord.get(word);
  }

  private bump(map: Map<string, PersonCounts>, key: string, person: PersonEntry, delta: 1 | -1): void {
    let counts = map.get(key);
    if (!counts) {
      if (delta < 0) return;
      if (!this.isKnown(key)) this.filePieces(key, addTo);
      map.set(key, (counts = new Map()));
    }
    const n = (counts.get(person) ?? 0) + delta;
    if (n > 0) counts.set(person, n);
    else counts.delete(person);
    if (counts.size === 0) {
      map.delete(key);
      if (!this.isKnown(key)) this.filePieces(key, deleteFrom);
    }
  }

  /** Files a key under (addTo) or takes it out of (deleteFrom) the pieces partial queries look up. */
  private filePieces(key: string, apply: (pieces: KeyPieces, piece: string, key: string) => unknown): void {
    if (isCjkName(key)) {
      apply(this.byCjkPrefix, key.slice(0, 1), key);
      apply(this.byCjkPrefix, key.slice(0, 2), key);
      for (const piece of cjkSubstrings(key)) apply(this.byCjkSubstring, piece, key);
    } else {
      for (const word of latinNameWords(key)) apply(this.byLatinWord, word, key);
    }
  }
}
