/**
 * The `callback_data` of every inline button, in one place. Telegram allows 1..64 bytes, so the
 * data holds only short ids and offsets; anything longer (a free-text query) is kept server-side
 * behind a short token (see QueryTokens).
 */

export type ButtonAction =
  | { kind: "full"; articleId: string }
  /** `open`: a button on a list that opens the page as a new message; otherwise page navigation that edits its own. */
  | { kind: "article-quotes"; articleId: string; offset: number; open: boolean }
  | { kind: "person-quotes"; personId: string; offset: number; open: boolean }
  | { kind: "query-quotes"; token: string; offset: number }
  | { kind: "subscribe" }
  | { kind: "lang"; lang: "en" | "zh" };

export const MAX_CALLBACK_DATA_BYTES = 64;

const ID = "[0-9a-z]{1,16}";
const OFFSET = "(0|[1-9][0-9]{0,6})";
const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => ButtonAction]> = [
  [new RegExp(`^f:(${ID})$`), (m) => ({ kind: "full", articleId: m[1]! })],
  [new RegExp(`^([qo])a:(${ID}):${OFFSET}$`), (m) => ({ kind: "article-quotes", articleId: m[2]!, offset: Number(m[3]), open: m[1] === "o" })],
  [new RegExp(`^([qo])p:(${ID}):${OFFSET}$`), (m) => ({ kind: "person-quotes", personId: m[2]!, offset: Number(m[3]), open: m[1] === "o" })],
  [new RegExp(`^qs:(${ID}):${OFFSET}$`), (m) => ({ kind: "query-quotes", token: m[1]!, offset: Number(m[2]) })],
  [/^sub$/, () => ({ kind: "subscribe" })],
  [/^lang:(en|zh)$/, (m) => ({ kind: "lang", lang: m[1] as "en" | "zh" })],
];

export class CallbackDataError extends Error {
  override name = "CallbackDataError";
}

export function encodeAction(action: ButtonAction): string {
  const data = ((): string => {
    switch (action.kind) {
      case "full":
        return `f:${action.articleId}`;
      case "article-quotes":
        return `${action.open ? "o" : "q"}a:${action.articleId}:${action.offset}`;
      case "person-quotes":
        return `${action.open ? "o" : "q"}p:${action.personId}:${action.offset}`;
      case "query-quotes":
        return `qs:${action.token}:${action.offset}`;
      case "subscribe":
        return "sub";
      case "lang":
        return `lang:${action.lang}`;
    }
  })();
  // A decode round trip proves the ids were of the expected shape and the data fits Telegram's limit.
  if (Buffer.byteLength(data, "utf8") > MAX_CALLBACK_DATA_BYTES || decodeAction(data) === null) {
    throw new CallbackDataError(`cannot encode ${JSON.stringify(action)} as callback_data (${data.length} chars)`);
  }
  return data;
}

/** The action behind a button's data, or null for data this bot never produced (or an older version did). */
export function decodeAction(data: string): ButtonAction | null {
  if (data.length > MAX_CALLBACK_DATA_BYTES) return null;
  for (const [pattern, build] of PATTERNS) {
    const match = pattern.exec(data);
    if (match) return build(match);
  }
  return null;
}

/** Short stable tokens for free-text queries, so a query's page buttons fit in callback_data. */
export interface QueryTokens {
  tokenFor(query: string): string;
  /** The query behind a token, or undefined when it was forgotten (restart, or evicted). */
  queryOf(token: string): string | undefined;
}

export function createQueryTokens(capacity = 10_000): QueryTokens {
  const queries = new Map<string, string>();
  return {
    tokenFor(query) {
      const token = fnv1a(query).toString(36);
      // Re-inserting keeps recently used queries at the end; Map iteration order is insertion order,
      // so the first key is the least recently used. (A hash collision: the newer query wins.)
      queries.delete(token);
      if (queries.size >= capacity) queries.delete(queries.keys().next().value as string);
      queries.set(token, query);
      return token;
    },
    queryOf(token) {
      return queries.get(token);
    },
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
