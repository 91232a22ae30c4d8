/**
 * Quote lookup: "what did 曹良铉 say", "Yanghyeon Jo", "曹教授", "半导体".
 *
 * An in-memory index over the QuoteSets of all stored articles, rebuilt from the store at start
 * and updated on ingest. People are merged across articles by full name or romanised name
 * (never by surname + title alone), queries are matched in tiers (exact name > alias > partial
 * > topic word in the quote text), and every list is newest first.
 *
 * The public entry; the parts live in ./quotes-lookup/ (create-index.ts wires them).
 */
export { createQuoteIndex } from "./quotes-lookup/create-index.js";
export { MAX_QUERY_LENGTH, stripQueryFraming } from "./quotes-lookup/query.js";
export { shortId } from "./quotes-lookup/short-id.js";
export { indexedArticleOf } from "./quotes-lookup/types.js";
export type {
  IndexedArticle,
  MatchKind,
  Person,
  QuoteHit,
  QuoteIndex,
  QuotePage,
  QuoteSearchResult,
} from "./quotes-lookup/types.js";
