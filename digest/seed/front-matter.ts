/**
 * The YAML front matter real archives put before a seed (`---` … `---`). Only flat
 * `key: value` pairs are read (title, date, author, from); lists and nesting are ignored,
 * so a full YAML parser is not needed.
 */

export interface FrontMatter {
  /** Lower-cased key → unquoted value. */
  fields: ReadonlyMap<string, string>;
  /** The text after the closing `---` line. */
  rest: string;
}

const OPENING = /^---[ \t]*\n/;
const CLOSING = /^---[ \t]*$/m;
// The value's trailing blanks are cut after the match: a lazy `(.*?)[ \t]*$` costs twice as much.
const FIELD = /^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$/;

/**
 * Splits front matter off `text`. Returns null when the text does not start with a `---`
 * line or the block is never closed (a truncated file then fails on its missing title).
 */
export function splitFrontMatter(text: string): FrontMatter | null {
  const opening = OPENING.exec(text);
  if (!opening) return null;
  const afterOpening = text.slice(opening[0].length);
  const closing = CLOSING.exec(afterOpening);
  if (!closing) return null;
  const fields = new Map<string, string>();
  for (const line of afterOpening.slice(0, closing.index).split("\n")) {
    const field = FIELD.exec(line);
    if (!field?.[1] || field[2] === undefined) continue;
    const key = field[1].toLowerCase();
    if (!fields.has(key)) fields.set(key, unquote(trimEndBlanks(field[2])));
  }
  const restStart = closing.index + closing[0].length;
  return { fields, rest: afterOpening.slice(afterOpening[restStart] === "\n" ? restStart + 1 : restStart) };
}

/** Drops trailing spaces and tabs (not other whitespace, which is part of the value). */
function trimEndBlanks(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--;
  return end === text.length ? text : text.slice(0, end);
}

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "", '"': '"', "\\": "\\", "/": "/", "0": "" };

/** YAML scalar quoting: "…" with backslash escapes, '…' with '' for a quote, or plain. */
function unquote(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    return raw
      .slice(1, -1)
      .replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, esc: string) =>
        esc.length > 1 ? codeUnit(Number.parseInt(esc.slice(1), 16)) : (DOUBLE_QUOTE_ESCAPES[esc] ?? esc),
      );
  }
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  // Plain scalar: a trailing " # comment" is not part of the value.
  return raw.replace(/\s+#.*$/, "");
}

/** An escaped lone surrogate would make the title invalid Unicode: it becomes U+FFFD. */
function codeUnit(code: number): string {
  return code >= 0xd800 && code <= 0xdfff ? "\ufffd" : String.fromCharCode(code);
}
