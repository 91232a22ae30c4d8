/**
 * Who said what in an article: `extractQuotes(article)` reads every block with the Chinese or
 * English reader, then resolves speakers across the article — a pronoun to the most recent
 * person who spoke, a subjectless clause or a bare quoted paragraph to the most recent speaker,
 * short forms ("曹教授", "Mr Cohen") to the person introduced earlier. Organisations and unnamed
 * sources are kept in `others`, never as experts. Pure: no clock, no I/O.
 */
import type { Article, OtherStatement, Quote, QuoteSet } from "./types.js";
import type { Attribution, SubjectRef } from "./quotes/model.js";
import { readChineseBlock } from "./quotes/chinese.js";
import { readEnglishBlock } from "./quotes/english.js";
import { ArticlePeople, type PersonRecord } from "./quotes/people.js";

type Speaker = { kind: "people"; records: PersonRecord[] } | { kind: "other"; label: string; group: "org" | "unnamed" };

/** One anonymous person ("一位法律专家", "这位官员", "a senior official"): what "他"/"he" may mean. */
const ONE_UNNAMED_PERSON = /(?:一位|一名|这位|這位|该|該|那位|此位|某|^a\s|^an\s|^one\s|^the\s)/iu;

const HAN_CHARACTER = /[\u3400-\u9fff]/u;
const LATIN_LETTER = /[A-Za-z]/;

/** More Han characters than Latin words: read with the Chinese reader. */
function isChineseText(text: string): boolean {
  // English blocks (most of an English article) hold no Han character at all: one native scan.
  if (!HAN_CHARACTER.test(text)) return false;
  // Most Chinese blocks hold no Latin letter either: then Han wins, again with one native scan.
  if (!LATIN_LETTER.test(text)) return true;
  let han = 0;
  let latinWords = 0;
  let inWord = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x3400 && c <= 0x9fff) han++;
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (letter && !inWord) latinWords++;
    inWord = letter;
    // Stop once the rest of the text cannot change the answer (a word takes two characters).
    const left = n - 1 - i;
    if (han > 0 && han - latinWords > (left + 1) / 2) return true;
    if (latinWords - han > left) return false;
  }
  return han > 0 && han >= latinWords;
}

/**
 * "<date>.<n>", bumped whenever a change to the readers changes what they extract (a speed change
 * that keeps the output identical does not): stored quotes of an older version are read again at start.
 */
export const QUOTE_EXTRACTOR_VERSION = "2026-11-26.1";

/**
 * Quotes missing, or read by an older extractor: extract them again. Only older: during a rolling
 * upgrade an instance still on the old release must not overwrite what a newer one stored.
 */
export function quotesAreStale(quotes: QuoteSet | null): boolean {
  if (quotes === null || quotes.extractor === undefined) return true;
  // The common case at every start, once per stored article: no collation needed.
  if (quotes.extractor === QUOTE_EXTRACTOR_VERSION) return false;
  return quotes.extractor.localeCompare(QUOTE_EXTRACTOR_VERSION, "en", { numeric: true }) < 0;
}

export function extractQuotes(article: Article): QuoteSet {
  const people = new ArticlePeople();
  const pending: Array<{ record: PersonRecord; quote: Omit<Quote, "speaker"> }> = [];
  const others: OtherStatement[] = [];
  let lastPeople: PersonRecord[] | null = null;
  let lastSpeaker: Speaker | null = null;
  let lastAuthors: PersonRecord[] | null = null;
  let lastMentioned: PersonRecord[] | null = null;
  /** The last speaker who was one person (or one anonymous person): what "他" means after a joint statement. */
  let lastSingle: Speaker | null = null;
  /** Who the last heading named as speaker ("姓名：…"), while no paragraph since has named a source. */
  let headingVoice: string[] | null = null;
  const chineseBlocks = article.blocks.map((b) => isChineseText(b.text));
  const chineseArticle = article.lang === "zh-Hans" || article.lang === "zh-Hant" || chineseBlocks.includes(true);

  article.blocks.forEach((block, paragraph) => {
    const chinese = chineseBlocks[paragraph] === true;
    let found: Attribution[] = chinese ? readChineseBlock(block.text, people, block.kind === "heading") : readEnglishBlock(block.text, people);
    if (!chinese && chineseArticle && found.length === 0 && block.text.split(/\s+/u).length >= 10) {
      // An untranslated English paragraph inside a Chinese article is the original words of the last speaker.
      found = [{ subjects: [{ type: "continuation" }], text: block.text, kind: "direct", cue: "“”" }];
    }
    const attributes = found.some((a) => a.mention === undefined);
    if (block.kind === "heading") {
      // "翁明贤：美扬弃扩大参与": a sub-heading that names, before a colon, someone the article has
      // already introduced ("关口防疫：…" names a topic, not a person met earlier).
      const named = found.find((a) => a.mention === undefined && a.cue === "：" && a.subjects.every((r) => r.type === "person" && people.isKnown(r.surface)));
      headingVoice = named === undefined ? null : named.subjects.map((r) => (r.type === "person" ? r.surface : ""));
    } else if (attributes || (headingVoice !== null && headingVoice.some((name) => block.text.includes(name)))) {
      // A paragraph that names a source, or names the heading's speaker in narration
      // ("维特奇本人也做出回应"), ends the heading's voice.
      headingVoice = null;
    } else if (headingVoice !== null && chinese && block.text.length >= 10) {
      // The paragraphs right under such a heading that attribute nothing themselves are that
      // speaker's points, until a paragraph names a source of its own.
      found = [{ subjects: [{ type: "continuation" }], text: block.text, kind: "indirect", cue: "：" }, ...found];
    }
    for (const a of found) {
      if (a.mention !== undefined) {
        const only = a.subjects[0];
        if (only === undefined || only.type !== "person") continue;
        if (a.mention === "topic") lastPeople = [people.register(only)];
        else lastMentioned = [people.register(only)];
        continue;
      }
      const speaker = resolve(a.subjects);
      if (speaker === null) continue;
      if (speaker.kind === "people") {
        for (const record of speaker.records) {
          people.touch(record);
          if (a.text.length > 0) pending.push({ record, quote: { text: a.text, kind: a.kind, paragraph, cue: a.cue } });
        }
        lastPeople = speaker.records;
        if (a.authored === true) lastAuthors = speaker.records;
      } else if (a.text.length > 0) {
        others.push({ speaker: speaker.label, text: a.text, kind: a.kind, paragraph, cue: a.cue });
      }
      lastSpeaker = speaker;
      if (speaker.kind === "people" ? speaker.records.length === 1 : speaker.group === "unnamed" && ONE_UNNAMED_PERSON.test(speaker.label)) lastSingle = speaker;
    }
  });

  function resolve(subjects: readonly SubjectRef[]): Speaker | null {
    const records: PersonRecord[] = [];
    for (const s of subjects) {
      switch (s.type) {
        case "person":
          records.push(people.register(s));
          break;
        case "pronoun":
          if (lastSpeaker !== null && lastSpeaker.kind === "other" && lastSpeaker.group === "unnamed" && ONE_UNNAMED_PERSON.test(lastSpeaker.label)) return lastSpeaker;
          if (lastPeople !== null && lastPeople.length > 1 && lastSingle !== null) {
            if (lastSingle.kind === "other") return lastSingle;
            records.push(...lastSingle.records);
          } else if (lastPeople !== null) records.push(...lastPeople);
          else if (lastMentioned !== null) records.push(...lastMentioned);
          break;
        case "continuation":
          if (lastSpeaker !== null) return lastSpeaker;
          break;
        case "authors":
          if (lastAuthors !== null) return { kind: "people", records: lastAuthors };
          return { kind: "other", label: s.label, group: "org" };
        case "other":
          if (/^(?:他们|她们|他們|她們|they|They)$/u.test(s.label) && lastPeople !== null && lastPeople.length > 1) return { kind: "people", records: lastPeople };
          return { kind: "other", label: s.label, group: s.group };
      }
    }
    return records.length > 0 ? { kind: "people", records: [...new Set(records)] } : null;
  }

  const { experts, keyOf } = people.toExperts();
  const quotes: Quote[] = pending.map(({ record, quote }) => ({ speaker: keyOf.get(record.id) ?? "", ...quote }));
  const spoken = new Set(quotes.map((q) => q.speaker));
  return { experts: experts.filter((e) => spoken.has(e.key)), quotes, others, extractor: QUOTE_EXTRACTOR_VERSION };
}
