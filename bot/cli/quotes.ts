/**
 * `npm run --silent quotes -- <file...>`: who is quoted saying what in each seed file, as JSON.
 * `npm run --silent quotes -- --query "<q>" [--limit N] [--offset N] <file...>`: the quote lookup
 * over those files ("what did 曹良铉 say", "Ryuta Ito", "曹教授", "半导体"), as JSON.
 *
 * A file that cannot be read or parsed becomes an entry with `error` and the others go on; the
 * exit code is 1 only when no file could be read.
 */
import { parseArgs } from "node:util";
import { createQuoteIndex, indexedArticleOf } from "../../digest/index.js";
import { readArticleFile, type ArticleWithQuotes } from "../article-file.js";
import { runCli } from "./run-cli.js";

const USAGE = 'usage: quotes [--query "<q>" [--limit N] [--offset N]] <file...>';

interface Parsed extends ArticleWithQuotes {
  file: string;
}

type Outcome = Parsed | { file: string; error: string };

function readOne(file: string): Outcome {
  try {
    return { file, ...readArticleFile(file) };
  } catch (error) {
    return { file, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** The extraction of one file, speakers by name (keys are internal). */
function describe(p: Parsed): object {
  const nameOf = new Map(p.quotes.experts.map((e) => [e.key, e.name]));
  return {
    file: p.file,
    articleId: p.article.id,
    experts: p.quotes.experts.map((e) => ({ name: e.name, aliases: e.aliases, role: e.role })),
    quotes: p.quotes.quotes.map((q) => ({
      speaker: nameOf.get(q.speaker) ?? q.speaker,
      text: q.text,
      kind: q.kind,
      paragraph: q.paragraph,
    })),
    others: p.quotes.others.map((o) => ({ speaker: o.speaker, text: o.text })),
  };
}

function lookup(parsed: Parsed[], query: string, limit: number, offset: number): object {
  const index = createQuoteIndex();
  for (const p of parsed) index.upsert(indexedArticleOf(p.article), p.quotes);
  const result = index.search(query, { limit, offset });
  return {
    query,
    total: result.total,
    match: result.match,
    suggestions: result.suggestions,
    hits: result.hits.map((h) => ({
      person: h.person.name,
      personId: h.person.id,
      role: h.role,
      text: h.quote.text,
      kind: h.quote.kind,
      paragraph: h.quote.paragraph,
      match: h.match,
      article: { id: h.article.id, title: h.article.title, date: new Date(h.article.publishedAt).toISOString() },
    })),
  };
}

/** A bad command line: one line on stderr, exit code 2 (as for bad configuration). */
function usage(problem: string): void {
  process.stderr.write(`quotes: ${problem}\n${USAGE}\n`);
  process.exitCode = 2;
}

function count(value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

await runCli(async () => {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        query: { type: "string", short: "q" },
        limit: { type: "string" },
        offset: { type: "string" },
      },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = args;
  if (positionals.length === 0) return usage("no files given");
  const limit = count(values.limit, 20);
  const offset = count(values.offset, 0);
  if (limit === null || offset === null) return usage("--limit and --offset take whole numbers");

  const outcomes = positionals.map(readOne);
  const parsed = outcomes.filter((o): o is Parsed => "article" in o);
  const failed = outcomes.filter((o): o is { file: string; error: string } => "error" in o);

  const output =
    values.query === undefined
      ? outcomes.map((o) => ("error" in o ? o : describe(o)))
      : { ...lookup(parsed, values.query, limit, offset), errors: failed };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  if (parsed.length === 0) process.exitCode = 1;
});
