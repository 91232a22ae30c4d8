/**
 * The seed header (DESIGN §4): an optional `<!--ms-->` comment line, an optional
 * `[TITLE](URL)` line and an optional `------` rule, then the HTML body.
 */

export interface SeedHeader {
  /** The inside of the `<!--…-->` line, or null when there is none. */
  archiveComment: string | null;
  /** Title and URL of the `[TITLE](URL)` line, or null when there is none. */
  link: { title: string; url: string } | null;
  /** Everything after the header lines. */
  body: string;
}

const COMMENT_LINE = /^<!--(.*)-->$/;
const RULE_LINE = /^-{3,}$/;

/** Reads the header lines at the top of `text` (front matter already removed). */
export function readSeedHeader(text: string): SeedHeader {
  let position = 0;
  let archiveComment: string | null = null;
  let link: SeedHeader["link"] = null;
  let sawRule = false;
  // Each header line may appear at most once and only in this order; blank lines between are fine.
  for (;;) {
    const lineEnd = text.indexOf("\n", position);
    const next = lineEnd === -1 ? text.length : lineEnd + 1;
    const line = text.slice(position, lineEnd === -1 ? text.length : lineEnd).trim();
    if (line === "") {
      if (next >= text.length) {
        position = text.length;
        break;
      }
      position = next;
      continue;
    }
    const comment: RegExpExecArray | null = archiveComment === null && link === null && !sawRule ? COMMENT_LINE.exec(line) : null;
    if (comment) {
      archiveComment = (comment[1] ?? "").trim();
    } else if (link === null && !sawRule && line.startsWith("[") && line.endsWith(")")) {
      const parsed = splitTitleLink(line);
      if (!parsed) break;
      link = parsed;
    } else if (!sawRule && RULE_LINE.test(line)) {
      sawRule = true;
    } else {
      break;
    }
    position = next;
  }
  return { archiveComment, link, body: text.slice(position) };
}

/**
 * Splits `[TITLE](URL)`. Titles may hold `[`, `]` and `(`, URLs may hold `(` and `)`, so the
 * split is the first `](` after which the rest is one unbroken token (URLs have no spaces).
 */
export function splitTitleLink(line: string): { title: string; url: string } | null {
  let at = line.indexOf("](");
  while (at !== -1) {
    const url = line.slice(at + 2, -1).trim();
    if (url !== "" && !/\s/.test(url)) return { title: decodeEntities(line.slice(1, at)).trim(), url };
    at = line.indexOf("](", at + 1);
  }
  return null;
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Titles are Markdown link text: the few entities they can hold are decoded here. */
function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return valid ? String.fromCodePoint(code) : "\ufffd";
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}
