/** Topic search's index: the distinct quote texts (folded), the entries quoting each, and a bigram index over them. */
import type { QuoteEntry } from "./model.js";
import { newestFirst } from "./ranking.js";

/** Form of quote text used for topic search: width and case folded (script is handled by the query). */
export function foldText(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

function bigramsOf(text: string): Set<string> {
  const grams = new Set<string>();
  for (let i = 0; i + 1 < text.length; i++) grams.add(text.slice(i, i + 2));
  return grams;
}

const LATIN_WORD_CHAR = /[a-z0-9]/u;

/** `term` occurs in `text`; a Latin term must start at a word start ("ai" is not in "said"). */
export function containsTerm(text: string, term: string): boolean {
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
export class TextTable {
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

