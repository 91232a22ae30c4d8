/** The name tiers of a search: persons by exact name, by alias, and by part of a name (surname + title, a word, a substring). */
import { isCjkName, latinNameWords, splitSurnameTitle, stripTitles } from "../names.js";
import type { PersonEntry } from "./model.js";
import type { NameKeyIndex } from "./name-keys.js";
import { quotesOf, roleKeysOf } from "./person-views.js";
import type { MatchKind } from "./types.js";

/** Longest name looked for at the end of a qualified query ("北京大学的姚洋"). */
const MAX_NAME_SUFFIX = 12;

/** The longest known name or alias that ends a CJK key ("北京大学的姚洋" → "姚洋"), if any. */
function knownNameSuffix(names: NameKeyIndex, key: string): string | undefined {
  if (!isCjkName(key)) return undefined;
  for (let i = Math.max(1, key.length - MAX_NAME_SUFFIX); i <= key.length - 2; i++) {
    const suffix = key.slice(i);
    if (names.isKnown(suffix)) return suffix;
  }
  return undefined;
}

/** Persons matching the query key in each tier; a person appears in its best tier only. */
export function personTiers(names: NameKeyIndex, key: string): Array<{ match: MatchKind; persons: PersonEntry[] }> {
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
    const named = take(names.personsNamed(k), accept);
    const aliased = names.personsAliased(k);
    return aliased ? named.concat(take(aliased, accept)) : named;
  };

  // Exact full name; a name with a title or an affiliation around it ("曹良铉教授", "总统蔡英文",
  // "President Donald Trump", "北京大学的姚洋") counts as the name.
  const nameKeys = [key];
  const withoutTitle = stripTitles(key);
  if (withoutTitle) nameKeys.push(withoutTitle);
  if (!nameKeys.some((k) => names.isKnown(k))) {
    const suffix = knownNameSuffix(names, key);
    if (suffix) nameKeys.push(suffix);
  }
  const name = nameKeys.flatMap((k) => take(names.personsNamed(k)));
  const alias = nameKeys.flatMap((k) => take(names.personsAliased(k) ?? []));

  const partial: PersonEntry[] = [];
  const st = splitSurnameTitle(key);
  if (st) {
    // A CJK surname starts a name key ("曹" of "曹良铉"); a Latin one is any word of a romanised name.
    const candidates =
      (isCjkName(st.surname) ? names.keysWithCjkPrefix(st.surname) : names.keysWithLatinWord(st.surname)) ?? [];
    const fits = (p: PersonEntry): boolean =>
      st.roleWords.length === 0 || [...roleKeysOf(p)].some((role) => st.roleWords.some((w) => role.includes(w)));
    for (const k of candidates) partial.push(...takeKey(k, fits));
  } else if (isCjkName(key)) {
    if (key.length >= 2) for (const k of names.keysWithCjkSubstring(key) ?? []) partial.push(...takeKey(k));
  } else {
    const words = latinNameWords(key);
    if (words.length === 1 && words[0]) {
      for (const k of names.keysWithLatinWord(words[0]) ?? []) partial.push(...takeKey(k));
    }
  }
  return [
    { match: "name", persons: name },
    { match: "alias", persons: alias },
    { match: "partial", persons: partial },
  ];
}
