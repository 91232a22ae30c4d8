/** What a query may be: its framing stripped ("what did 曹良铉 say?" → "曹良铉"), its size and page bounded. */
import { toSimplified } from "../names.js";
import type { QuotePage } from "./types.js";

/** Queries longer than this are not names or topics; they return nothing, cheaply. */
export const MAX_QUERY_LENGTH = 200;
const MAX_PAGE_SIZE = 1000;

const FRAMINGS: readonly RegExp[] = [
  /^(?:请问|我想知道|查一下|查询)?\s*(.+?)\s*(?:都|还|曾经|曾|到底|究竟)?(?:说了什么|说过什么|说了些什么|说过些什么|说了啥|说啥|说什么|讲了什么|讲过什么|怎么说|怎么看|如何看|有什么看法|有何看法|表示了什么|的观点|的看法|的言论|的说法|的引语|的引述|的发言|的话)$/u,
  /^(?:what|wat)\s+(?:did|does|has|have|had|do)\s+(.+?)\s+(?:say|said|says|think|thought|tell|told)(?:\s+about\s+.*)?$/iu,
  /^(?:what|who)\s+(?:is|was)\s+(.+?)\s+(?:saying|quoted\s+as\s+saying)$/iu,
  /^(?:quotes?|statements?|comments?)\s+(?:by|from|of)\s+(.+)$/iu,
  /^(.+?)(?:'s|’s)?\s+(?:quotes?|statements?|comments?)$/iu,
  /^(?:引语|言论|发言|观点)[:：\s]+(.+)$/u,
];

const EDGE_CHARS = String.raw`\s"'“”‘’「」『』《》()（）\[\]【】?？!！。.,，:：;；`;
const EDGE_PUNCTUATION = new RegExp(`^[${EDGE_CHARS}]+|[${EDGE_CHARS}]+$`, "gu");

/** Removes question framing around a name: "what did 曹良铉 say?" → "曹良铉", "曹良铉说了什么" → "曹良铉". */
export function stripQueryFraming(query: string): string {
  let q = query.normalize("NFKC").replace(EDGE_PUNCTUATION, "").replace(/\s+/gu, " ");
  const simplified = toSimplified(q);
  for (const pattern of FRAMINGS) {
    const m = pattern.exec(simplified);
    if (m?.[1]) {
      // Slice the original (same length: OpenCC is character-for-character on these phrases).
      const start = simplified.indexOf(m[1]);
      q = simplified.length === q.length ? q.slice(start, start + m[1].length) : m[1];
      break;
    }
  }
  return q.replace(EDGE_PUNCTUATION, "");
}

/** A page with whole, non-negative numbers and at most MAX_PAGE_SIZE entries. */
export function clampPage(page: QuotePage): { offset: number; limit: number } {
  const limit = Math.max(0, Math.min(MAX_PAGE_SIZE, Math.floor(page.limit)));
  const offset = Math.max(0, Math.floor(page.offset ?? 0));
  return { offset: Number.isFinite(offset) ? offset : 0, limit: Number.isFinite(limit) ? limit : 0 };
}
