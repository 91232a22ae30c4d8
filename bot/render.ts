/**
 * Rendering for Telegram: articles, and later digests and quote pages, as `text` + `entities`
 * that Telegram never rejects (fully nested entities, sizes within limits, no broken surrogate
 * pairs), split into messages at paragraph or sentence boundaries.
 */
export { htmlToFormatted } from "./render/html-to-formatted.js";
export { renderArticle, articleText, blockText, joinFormatted, BLOCK_SEPARATOR } from "./render/article.js";
export type { RenderArticleOptions, RenderedArticle } from "./render/article.js";
export {
  splitFormatted,
  truncateFormatted,
  partMarker,
  SplitLimitError,
  MESSAGE_LIMIT,
  CAPTION_LIMIT,
} from "./render/split.js";
export type { SplitOptions } from "./render/split.js";
export { telegramLinkUrl } from "./render/link-url.js";
