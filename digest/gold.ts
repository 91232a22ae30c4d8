/**
 * The gold annotation format of `../shared/corpus/*.json` (see its README): who is quoted saying
 * what, by hand. Used by the quote evaluation and its tests; validated once here.
 */
import type { QuoteKind } from "./types.js";

export interface GoldExpert {
  name: string;
  aliases: string[];
  role: string;
}

export interface GoldStatement {
  speaker: string;
  kind: QuoteKind;
  /** 0-based index among the body's `<p>` elements (= `Article.blocks` index). */
  paragraph: number;
  text: string;
}

export interface GoldFile {
  file: string;
  lang: string;
  source: string;
  title: string;
  url: string;
  /** ISO instant, equal to the body's date line. */
  published: string;
  experts: GoldExpert[];
  quotes: GoldStatement[];
  org_statements: GoldStatement[];
  unnamed_statements: GoldStatement[];
}

export class GoldFormatError extends Error {
  override name = "GoldFormatError";
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: not a gold annotation: ${reason}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

function statements(file: string, v: unknown, field: string): GoldStatement[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new GoldFormatError(file, `${field} is not an array`);
  return v.map((s, i) => {
    if (!isObject(s) || typeof s.speaker !== "string" || typeof s.text !== "string" || typeof s.paragraph !== "number")
      throw new GoldFormatError(file, `${field}[${i}] lacks speaker/text/paragraph`);
    const kind: QuoteKind = s.kind === "direct" ? "direct" : "indirect";
    return { speaker: s.speaker, kind, paragraph: s.paragraph, text: s.text };
  });
}

/** Validates parsed JSON as a gold file; `file` names it in errors. */
export function parseGold(json: unknown, file: string): GoldFile {
  if (!isObject(json)) throw new GoldFormatError(file, "not an object");
  const str = (k: string): string => {
    const v = json[k];
    if (typeof v !== "string") throw new GoldFormatError(file, `${k} is not a string`);
    return v;
  };
  const experts = json.experts;
  if (!Array.isArray(experts)) throw new GoldFormatError(file, "experts is not an array");
  return {
    file: str("file"),
    lang: str("lang"),
    source: typeof json.source === "string" ? json.source : "",
    title: str("title"),
    url: str("url"),
    published: str("published"),
    experts: experts.map((e, i) => {
      if (!isObject(e) || typeof e.name !== "string") throw new GoldFormatError(file, `experts[${i}] has no name`);
      const aliases = Array.isArray(e.aliases) ? e.aliases.filter((a): a is string => typeof a === "string") : [];
      return { name: e.name, aliases, role: typeof e.role === "string" ? e.role : "" };
    }),
    quotes: statements(file, json.quotes, "quotes"),
    org_statements: statements(file, json.org_statements, "org_statements"),
    unnamed_statements: statements(file, json.unnamed_statements, "unnamed_statements"),
  };
}
