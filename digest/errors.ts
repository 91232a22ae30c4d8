/**
 * Errors of the seed parser. `parseArticle` throws nothing but `SeedError`, so an ingester can
 * log the file and the reason, skip it, and carry on with the next one.
 */

/** Why a seed file was rejected. */
export type SeedErrorReason =
  /** Zero bytes, or only whitespace / a BOM. */
  | "empty"
  /** Larger than the size limit; rejected without being parsed. */
  | "too-large"
  /** Holds NUL bytes or a run of control characters: not a text file. */
  | "binary"
  /** Bytes that are not valid UTF-8 (or, for string input, lone surrogates). */
  | "invalid-utf8"
  /** Neither a `[TITLE](URL)` line nor a front matter `title:` gives a non-empty title. */
  | "no-title"
  /** Neither the title line nor a front matter `from:` gives a URL. */
  | "no-url"
  /** A URL was found but it is not an absolute http(s) URL. */
  | "bad-url"
  /** The body holds no text at all. */
  | "no-body"
  /** No date line, no front matter `date:` and no `<!--ms-->` comment. */
  | "no-date"
  /** Dates are present but none of them can be read as a plausible instant. */
  | "bad-date"
  /** A bug: something unexpected went wrong; `cause` holds the original error. */
  | "internal";

const describe: Record<SeedErrorReason, string> = {
  empty: "the file is empty",
  "too-large": "the file is too large",
  binary: "the file is binary, not text",
  "invalid-utf8": "the file is not valid UTF-8",
  "no-title": "no title found",
  "no-url": "no URL found",
  "bad-url": "the URL is not an http(s) URL",
  "no-body": "the body holds no text",
  "no-date": "no date found",
  "bad-date": "no readable date",
  internal: "internal error while parsing",
};

export class SeedError extends Error {
  override name = "SeedError";
  readonly file: string;
  readonly reason: SeedErrorReason;

  /**
   * @param file the seed's file name, as given to `parseArticle`
   * @param detail what exactly was wrong, e.g. the offending value (optional)
   */
  constructor(file: string, reason: SeedErrorReason, detail?: string, options?: { cause?: unknown }) {
    super(`${file}: ${describe[reason]}${detail ? ` (${detail})` : ""}`, options);
    this.file = file;
    this.reason = reason;
  }
}
