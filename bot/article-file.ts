/** One seed file from disk as the bot knows it: the parsed article with its quotes extracted. */
import { readFileSync } from "node:fs";
import { extractQuotes, parseArticle, type Article, type QuoteSet } from "../digest/index.js";

export interface ArticleWithQuotes {
  article: Article;
  quotes: QuoteSet;
}

/**
 * Reads, parses and extracts quotes from the file at `path`; `fileName` is the name parseArticle
 * gets (it names the file in errors). Throws what reading or parsing throws.
 */
export function readArticleFile(path: string, fileName: string = path): ArticleWithQuotes {
  const article = parseArticle(readFileSync(path), fileName);
  return { article, quotes: extractQuotes(article) };
}
