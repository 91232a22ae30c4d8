/**
 * Seed file → Article (DESIGN §4, corpus README §2). The one entry point is `parseArticle`;
 * it throws only `SeedError`, so an ingester can report a bad file and go on with the next.
 */
import { SeedError } from "./errors.js";
import type { Article } from "./types.js";
import { isPlausibleInstant, parseArchiveStamp, parseDateLine, parseFrontMatterDate } from "./seed/dates.js";
import { splitFrontMatter } from "./seed/front-matter.js";
import { readSeedHeader } from "./seed/header.js";
import { extractBody, normaliseText } from "./seed/html-blocks.js";
import { articleId, contentHash } from "./seed/id.js";
import { detectLang } from "./seed/lang.js";
import { outletFromHost } from "./seed/source.js";
import { decodeSeedText } from "./seed/text.js";

export { MAX_SEED_BYTES } from "./seed/text.js";

const LANGUAGE_SAMPLE_CHARS = 1500;

/**
 * Parses one seed file. `input` may be the raw bytes (so invalid UTF-8 is caught) or text;
 * `fileName` names the file in errors. Throws SeedError and nothing else.
 */
export function parseArticle(input: string | Uint8Array, fileName: string): Article {
  try {
    return parse(input, fileName);
  } catch (err) {
    if (err instanceof SeedError) throw err;
    throw new SeedError(fileName, "internal", err instanceof Error ? err.message : String(err), { cause: err });
  }
}

function parse(input: string | Uint8Array, file: string): Article {
  const text = decodeSeedText(input, file);
  const frontMatter = splitFrontMatter(text);
  const fields = frontMatter?.fields ?? new Map<string, string>();
  const header = readSeedHeader(frontMatter ? frontMatter.rest : text);

  const title = normaliseText(header.link?.title || fields.get("title") || "");
  if (title === "") throw new SeedError(file, "no-title");
  const url = checkUrl(header.link?.url || fields.get("from") || fields.get("url") || "", file);

  // A page scraped whole: no title line, the body is the site's <article> element.
  const pageLayout = header.link === null && /^\s*<article[\s>]/i.test(header.body);
  const body = extractBody(header.body, { baseUrl: url.href, pageLayout, title });
  if (body.blocks.length === 0) throw new SeedError(file, "no-body");

  const archivedAt = header.archiveComment === null ? null : parseArchiveStamp(header.archiveComment);
  const publishedAt = publicationTime(body.dateLine, fields.get("date"), header.archiveComment, archivedAt, file);
  const author = fields.get("author")?.trim();
  const blockTexts = body.blocks.map((b) => b.text);
  return {
    id: articleId(url.raw),
    url: url.raw,
    title,
    publishedAt,
    archivedAt,
    source: author ? author : outletFromHost(url.host),
    lang: detectLang(languageSample(title, blockTexts)),
    image: body.image,
    blocks: body.blocks,
    contentHash: contentHash(title, url.raw, publishedAt, blockTexts),
  };
}

/** Title and leading blocks, enough for detectLang without joining a long article whole. */
function languageSample(title: string, blockTexts: readonly string[]): string {
  const parts = [title];
  let length = title.length;
  for (const text of blockTexts) {
    if (length >= LANGUAGE_SAMPLE_CHARS) break;
    parts.push(text);
    length += text.length + 1;
  }
  return parts.join("\n");
}

/** The URL as written (so ids stay what they were), checked to be absolute http(s). */
function checkUrl(raw: string, file: string): { raw: string; href: string; host: string } {
  const written = raw.trim();
  if (written === "") throw new SeedError(file, "no-url");
  let parsed: URL;
  try {
    parsed = new URL(written);
  } catch (err) {
    throw new SeedError(file, "bad-url", written.slice(0, 200), { cause: err });
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.hostname === "")
    throw new SeedError(file, "bad-url", written.slice(0, 200));
  return { raw: written, href: parsed.href, host: parsed.hostname };
}

/** The body's date line, else front matter `date:`, else the archive comment. */
function publicationTime(
  dateLine: string | null,
  frontMatterDate: string | undefined,
  archiveComment: string | null,
  archivedAt: number | null,
  file: string,
): number {
  const fromLine = dateLine === null ? null : parseDateLine(dateLine);
  if (fromLine !== null) return fromLine;
  const fromFrontMatter = frontMatterDate === undefined ? null : parseFrontMatterDate(frontMatterDate);
  if (fromFrontMatter !== null) return fromFrontMatter;
  if (archivedAt !== null && isPlausibleInstant(archivedAt)) return archivedAt;
  const seen = [dateLine, frontMatterDate, archiveComment].filter((d): d is string => d !== null && d !== undefined);
  if (seen.length === 0) throw new SeedError(file, "no-date");
  throw new SeedError(file, "bad-date", seen.map((d) => JSON.stringify(d.slice(0, 60))).join(", "));
}
