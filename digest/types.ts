/**
 * The domain's data shapes. Plain data only: everything here survives JSON.stringify/parse,
 * so any store can keep it and any test can build it by hand.
 */

/** Script/language of an article, detected from its text. */
export type Lang = "zh-Hans" | "zh-Hant" | "en" | "other";

/** One block of an article body, in reading order. */
export interface Block {
  kind: "paragraph" | "heading";
  /** Plain text: entities decoded, whitespace collapsed, trimmed. Never empty. */
  text: string;
  /** Inner HTML of the block as it was in the seed (scripts/styles/comments removed). */
  html: string;
}

export interface ArticleImage {
  url: string;
  caption: string | null;
}

/** A parsed seed file. Produced only by `parseArticle`; trusted from then on. */
export interface Article {
  /** 8 lowercase base36 characters derived from the URL: short, stable, typeable. */
  id: string;
  url: string;
  title: string;
  /** Epoch ms: the body's date line, else front matter `date:`, else the archive comment. */
  publishedAt: number;
  /** Epoch ms from the `<!--ms-->` comment, or null when the file has none. */
  archivedAt: number | null;
  /** The outlet: front matter `author:` or a name derived from the URL's host. */
  source: string;
  lang: Lang;
  image: ArticleImage | null;
  blocks: Block[];
  /** Hash over title, url, dates and blocks: equal hashes mean an unchanged article. */
  contentHash: string;
}

// ---- quotes (filled by extractQuotes, stored with the article) ----

export type QuoteKind = "direct" | "indirect";

export interface Expert {
  /** Stable within one article: a normalised form of `name`. */
  key: string;
  /** The earliest instance of the longest form the article gives. */
  name: string;
  /** Other forms: romanised name, surname + title, short forms, the other script. */
  aliases: string[];
  /** Title and affiliation as the article gives them ("" when none). */
  role: string;
}

export interface Quote {
  /** `Expert.key` of the speaker. */
  speaker: string;
  /** The attributed content, verbatim, without attribution words or outer quote marks. */
  text: string;
  kind: QuoteKind;
  /** Index into `Article.blocks`. */
  paragraph: number;
  /** The verb or phrase that attributes it ("表示", "said", "according to", "“”"). */
  cue: string;
}

/** A statement by an organisation or an unnamed source: kept, never an expert. */
export interface OtherStatement {
  speaker: string;
  text: string;
  kind: QuoteKind;
  paragraph: number;
  cue: string;
}

export interface QuoteSet {
  experts: Expert[];
  quotes: Quote[];
  others: OtherStatement[];
  /**
   * Which extractor produced it (QUOTE_EXTRACTOR_VERSION). Stored with the quotes, so that after an
   * upgrade the articles read by an older extractor are read again; absent in sets stored before it.
   */
  extractor?: string;
}
