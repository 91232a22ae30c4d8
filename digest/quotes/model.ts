/**
 * What a block reader (Chinese or English) reports before speakers are resolved across the
 * article: who the sentence names as the source, and what it attributes to them.
 */
import type { QuoteKind } from "../types.js";

export type SubjectRef =
  /** A named person, as written in this sentence. */
  | { type: "person"; surface: string; romanized: string | null; role: string }
  /** 他/她/he/she: the most recent person who spoke. */
  | { type: "pronoun" }
  /** No subject at all (并表示…, a bare quoted paragraph): the most recent speaker of any kind. */
  | { type: "continuation" }
  /** An organisation, a medium, a document, or an unnamed / collective human source. */
  | { type: "other"; label: string; group: "org" | "unnamed" }
  /** A text or its authors ("文章说", "两位作者"): whoever last published one in this article. */
  | { type: "authors"; label: string };

export interface Attribution {
  /** More than one only for joint statements ("A和B表示"), all persons then. */
  subjects: SubjectRef[];
  text: string;
  kind: QuoteKind;
  cue: string;
  /** The subjects published it as a text (an article, a report): "文章说" later means them. */
  authored?: boolean;
  /**
   * A person named without speaking. "topic": introduced in full (role + name + romanised name),
   * the one a following pronoun means. "fallback": named as a sentence subject, the one a pronoun
   * means only when nobody has spoken yet.
   */
  mention?: "topic" | "fallback";
  /** Position in the block, for reading order. */
  at?: number;
}

/** Read-only view of the people already met in the article, for resolving short forms. */
export interface KnownPeople {
  /** The known surface form (name, alias, surname+title) that ends exactly at `end` in `s`, longest first. */
  knownEndingAt(s: string, end: number): string | null;
  /** True when `surface` names a person already met (full name, alias, short form). */
  isKnown(surface: string): boolean;
  /** Makes a person named in this block known to the rest of the block ("曹良铉表示…曹教授指出"). */
  note(ref: Extract<SubjectRef, { type: "person" }>): void;
}
