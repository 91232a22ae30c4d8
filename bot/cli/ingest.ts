/**
 * `npm run ingest [-- --seeds DIR --data DIR --json]`: reads every seed file into the store and
 * reports what was added, updated, unchanged or rejected (and why).
 */
import { parseArgs } from "node:util";
import { extractQuotes, ingest, type IngestReport } from "../../digest/index.js";
import { loadConfig } from "../config.js";
import { openStorage } from "../storage.js";
import { runCli } from "./run-cli.js";

await runCli(async () => {
  const { values } = parseArgs({
    options: {
      seeds: { type: "string" },
      data: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const config = loadConfig(process.env);
  const seedsDir = values.seeds ?? config.seedsDir;
  const dataDir = values.data ?? config.dataDir;
  const storage = openStorage({ dataDir });
  try {
    const started = Date.now();
    const report = await ingest({
      seedsDir,
      store: storage.articles,
      fileIndex: storage.seedFiles,
      now: started,
      // The same extraction as the bot's own ingest, so articles are stored once, quotes and all.
      extract: extractQuotes,
      onProgress: values.json
        ? undefined
        : (done, total) => {
            if (done === total) return;
            const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
            process.stderr.write(`ingest: ${done}/${total} files, ${Math.round(rate)} files/s\n`);
          },
    });
    const seconds = (Date.now() - started) / 1000;
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(formatReport(report, { seedsDir, store: storage.location, seconds }));
  } finally {
    await storage.close();
  }
});

function formatReport(report: IngestReport, where: { seedsDir: string; store: string; seconds: number }): string {
  const lines = [
    `Ingested ${where.seedsDir} into ${where.store} in ${where.seconds.toFixed(2)} s: ${report.files} files`,
    `  added ${report.added}, updated ${report.updated}, unchanged ${report.unchanged}, rejected ${report.failed.length}`,
    ...report.failed.map((f) => `  rejected ${f.file}: ${f.reason}`),
  ];
  return `${lines.join("\n")}\n`;
}
