/**
 * /search: articles by words in their title and text. An in-memory index built at start from the
 * stored articles and updated on ingest, because the store port has no text search. Each article
 * keeps its title and the first part of its text in a folded form (width, case, Traditional →
 * Simplified), so "半導體" finds "半导体" and "CHIPS" finds "chips".
 */
import { toSimplified } from "../digest/index.js";
import type { Article } from "../digest/index.js";

export interface ArticleSearchHit {
  id: string;
  title: string;
  url: string;
  source: string;
  publishedAt: number;
}

export interface ArticleSearch {
  /** Adds or replaces an article (by id). */
  upsert(article: Article): void;
  /** Articles holding every word of the query: title matches first, then newest first. */
  search(query: string, limit: number): { total: number; hits: ArticleSearchHit[] };
  size(): number;
}

/** Body text kept per article: the lead and the first paragraphs, so memory stays bounded (~4 KB an article). */
const BODY_CHARS = 2000;
/** Longer queries are cut: nobody searches with a page of text, and the scan stays cheap. */
export const MAX_QUERY_CHARS = 200;
const MAX_WORDS = 10;

interface Entry {
  hit: ArticleSearchHit;
  title: string;
  body: string;
}

/** The comparable form of text: NFKC width folding, lower case, Simplified script. */
export function foldForSearch(text: string): string {
  return toSimplified(text.normalize("NFKC").toLowerCase());
}

/** The words of a query, folded; at most MAX_WORDS of them, none empty. */
export function queryWords(query: string): string[] {
  const folded = foldForSearch(query.slice(0, MAX_QUERY_CHARS));
  const words = folded.split(/[\s,，、;；]+/u).filter((w) => w.length > 0);
  return [...new Set(words)].slice(0, MAX_WORDS);
}

export function createArticleSearch(): ArticleSearch {
  const entries = new Map<string, Entry>();
  return {
    upsert(article) {
      let body = "";
      for (const block of article.blocks) {
        if (body.length >= BODY_CHARS) break;
        body += `${block.text}\n`;
      }
      entries.set(article.id, {
        hit: { id: article.id, title: article.title, url: article.url, source: article.source, publishedAt: article.publishedAt },
        title: foldForSearch(article.title),
        body: foldForSearch(body.slice(0, BODY_CHARS)),
      });
    },
    search(query, limit) {
      const words = queryWords(query);
      if (words.length === 0) return { total: 0, hits: [] };
      const found: Array<{ entry: Entry; titleWords: number }> = [];
      for (const entry of entries.values()) {
        let titleWords = 0;
        let all = true;
        for (const word of words) {
          if (entry.title.includes(word)) titleWords += 1;
          else if (!entry.body.includes(word)) {
            all = false;
            break;
          }
        }
        if (all) found.push({ entry, titleWords });
      }
      found.sort((a, b) => b.titleWords - a.titleWords || b.entry.hit.publishedAt - a.entry.hit.publishedAt);
      return { total: found.length, hits: found.slice(0, Math.max(0, limit)).map((f) => f.entry.hit) };
    },
    size() {
      return entries.size;
    },
  };
}
