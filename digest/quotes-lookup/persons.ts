/**
 * Persons: mentions merged across articles by full name or romanised name (never by surname +
 * title alone), split again when an article that joined them goes, each with a stable id.
 */
import { hasLatinTitle, isLatinName, latinNameWords, normalizeName, splitSurnameTitle } from "../names.js";
import type { Expert } from "../types.js";
import { identityKey, type Mention, type PersonEntry } from "./model.js";
import type { NameKeyIndex } from "./name-keys.js";
import { markStale, viewOf } from "./person-views.js";
import { shortId } from "./short-id.js";
import type { Person } from "./types.js";

/** Keys of an expert's forms that identify the same person in another article. */
export function globalLinkKeys(expert: Expert, nameKey: string): string[] {
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

/** Mentions in groups connected by shared link keys (union-find). */
function groupByLinkKeys(members: Mention[]): Mention[][] {
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
  return [...groups.values()];
}

export class PersonRegistry {
  readonly persons = new Set<PersonEntry>();
  private readonly linkOwner = new Map<string, PersonEntry>();
  /** Identity key → person id (cached SHA-1), and back. */
  private readonly idOfIdentity = new Map<string, string>();
  private readonly identityById = new Map<string, string>();

  constructor(private readonly names: NameKeyIndex) {}

  /** Gives a new mention its person: the one its link keys point at, merging any others they join. */
  attach(mention: Mention): void {
    const owners = new Set<PersonEntry>();
    for (const key of mention.linkKeys) {
      const owner = this.linkOwner.get(key);
      if (owner) owners.add(owner);
    }
    const [target = this.newPerson(), ...others] = owners;
    for (const other of others) {
      for (const m of other.mentions) this.move(m, target);
      this.persons.delete(other);
    }
    this.join(mention, target);
    markStale(target);
    this.idOf(identityKey(mention));
  }

  /** Takes an article's mentions out: emptied persons go, persons that fall apart split, unused ids are forgotten. */
  detach(mentions: readonly Mention[]): void {
    const touched = new Set<PersonEntry>();
    for (const m of mentions) {
      m.person.mentions.delete(m);
      touched.add(m.person);
      this.names.count(m, -1);
      for (const key of m.linkKeys) if (this.linkOwner.get(key) === m.person) this.linkOwner.delete(key);
    }
    for (const person of touched) {
      // Keys still used by remaining mentions are re-owned by regroup.
      for (const m of person.mentions) for (const key of m.linkKeys) this.linkOwner.set(key, person);
      this.regroup(person);
    }
    for (const m of mentions) {
      const identity = identityKey(m);
      const id = this.idOfIdentity.get(identity);
      if (!this.linkOwner.has(identity) && id !== undefined) {
        this.identityById.delete(id);
        this.idOfIdentity.delete(identity);
      }
    }
  }

  /** The person with this id, if it still exists. */
  byId(id: string): PersonEntry | undefined {
    const identity = this.identityById.get(id);
    if (identity === undefined) return undefined;
    return this.linkOwner.get(identity);
  }

  view(person: PersonEntry): Person {
    return viewOf(person, this.idOf);
  }

  /** The person id an identity key gives (registered so that byId finds it). */
  private readonly idOf = (identity: string): string => {
    let id = this.idOfIdentity.get(identity);
    if (id === undefined) {
      id = shortId(identity);
      this.idOfIdentity.set(identity, id);
      this.identityById.set(id, identity);
    }
    return id;
  };

  private newPerson(): PersonEntry {
    const person: PersonEntry = { mentions: new Set(), sorted: null, view: null, roleKeys: null, textCounts: null };
    this.persons.add(person);
    return person;
  }

  /** Makes a mention its person's, counting its keys and handing it its link keys. */
  private join(m: Mention, to: PersonEntry): void {
    m.person = to;
    to.mentions.add(m);
    this.names.count(m, 1);
    for (const key of m.linkKeys) this.linkOwner.set(key, to);
  }

  /** Moves a mention to another person, keeping key counts and link ownership in step. */
  private move(m: Mention, to: PersonEntry): void {
    if (m.person === to) return;
    this.names.count(m, -1);
    this.join(m, to);
  }

  /** After mentions left a person: drop it when empty, split it when what remains falls apart. */
  private regroup(person: PersonEntry): void {
    markStale(person);
    if (person.mentions.size === 0) {
      this.persons.delete(person);
      return;
    }
    const groups = groupByLinkKeys([...person.mentions]);
    // The first group stays in this entry; the others become persons of their own.
    for (const group of groups.slice(1)) {
      const target = this.newPerson();
      for (const m of group) {
        person.mentions.delete(m);
        this.move(m, target);
      }
      markStale(target);
    }
  }
}
