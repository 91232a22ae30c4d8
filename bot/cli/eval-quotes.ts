/**
 * `npm run eval:quotes -- <dir> [--verbose] [--json]`: scores the quote extractor against the gold
 * annotations in a folder (each `X.json` beside its `X.txt`, see ../shared/corpus/README.md) and
 * prints detection P/R/F1, speaker accuracy on matched quotes, end-to-end (quote, speaker) P/R/F1
 * overall and per language, and lookup recall per alias type. `--verbose` lists every miss, wrong
 * speaker and spurious quote.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  extractQuotes,
  measureLookupRecall,
  parseArticle,
  parseGold,
  scoreQuotes,
  type EvalCase,
  type LookupRecall,
  type QuoteEvalReport,
  type Scores,
} from "../../digest/index.js";
import { runCli } from "./run-cli.js";

const USAGE = "usage: npm run eval:quotes -- <dir-with-gold-json> [--verbose] [--json]";

/** Every `X.json` (gold) beside its `X.txt` (seed) in `dir`, parsed and extracted. */
function loadCases(dir: string): EvalCase[] {
  const cases: EvalCase[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const base = name.slice(0, -".json".length);
    const txt = join(dir, `${base}.txt`);
    if (!existsSync(txt)) continue;
    const gold = parseGold(JSON.parse(readFileSync(join(dir, name), "utf8")) as unknown, name);
    const article = parseArticle(readFileSync(txt), `${base}.txt`);
    cases.push({ file: base, article, quotes: extractQuotes(article), gold });
  }
  return cases;
}

const pct = (x: number): string => (100 * x).toFixed(1).padStart(5);

function row(label: string, s: Scores): string {
  return (
    `${label.padEnd(9)} ${String(s.gold).padStart(5)} ${String(s.predicted).padStart(5)}  ` +
    `${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)}   ${pct(s.speakerAccuracy)}   ` +
    `${pct(s.e2ePrecision)} ${pct(s.e2eRecall)} ${pct(s.e2eF1)}`
  );
}

function format(report: QuoteEvalReport, lookup: Record<string, LookupRecall>, verbose: boolean): string {
  const lines: string[] = [];
  lines.push("                           detection           speaker    end-to-end (quote, speaker)");
  lines.push("          gold  pred      P     R    F1       acc       P     R    F1");
  lines.push(row("overall", report.overall));
  for (const [lang, s] of Object.entries(report.byLang).sort()) lines.push(row(lang, s));
  lines.push("");
  for (const [file, s] of Object.entries(report.byFile)) lines.push(row(file, s));
  lines.push("");
  lines.push("lookup recall by alias type: queries, queries finding every gold quote, recall; share of gold quotes found; share of queries finding all the full name finds");
  for (const [kind, r] of Object.entries(lookup)) {
    lines.push(`  ${kind.padEnd(14)} ${String(r.queries).padStart(5)} ${String(r.found).padStart(5)}  ${pct(r.recall)}   quotes ${pct(r.quoteRecall)}   as name ${pct(r.asName)}`);
  }
  if (verbose) {
    lines.push("");
    for (const m of report.misses) lines.push(`MISS     ${m.file} ¶${m.paragraph} ${m.speaker}: ${m.text}`);
    for (const w of report.wrongSpeakers) lines.push(`SPEAKER  ${w.file} ¶${w.paragraph} gold ${w.gold}, got ${w.predicted}: ${w.text}`);
    for (const s of report.spurious) lines.push(`SPURIOUS ${s.file} ¶${s.paragraph} ${s.speaker}: ${s.text}`);
  }
  return `${lines.join("\n")}\n`;
}

await runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { verbose: { type: "boolean", short: "v", default: false }, json: { type: "boolean", default: false } },
  });
  const dir = positionals[0];
  if (dir === undefined || !existsSync(dir)) {
    process.stderr.write(dir === undefined ? `${USAGE}\n` : `eval-quotes: no such folder: ${dir}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const cases = loadCases(dir);
  if (cases.length === 0) {
    process.stderr.write(`eval-quotes: no X.json beside an X.txt in ${dir}\n`);
    process.exitCode = 2;
    return;
  }
  const report = scoreQuotes(cases);
  const lookup = measureLookupRecall(cases.map((c) => ({ article: c.article, quotes: c.quotes, gold: c.gold })));
  if (values.json) process.stdout.write(`${JSON.stringify({ ...report, lookup }, null, 2)}\n`);
  else process.stdout.write(format(report, lookup, values.verbose));
});
