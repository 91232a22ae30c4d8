/**
 * Child processes for the multi-process store tests: each runs a TypeScript script (through tsx)
 * that opens the store, prints "ready", waits for "go" on stdin, does its work and prints one JSON
 * line. Holding every child at "ready" until all have opened the file makes their work overlap.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface ReadyGoChild<T> {
  /** Resolves once the child has printed "ready". */
  ready: Promise<void>;
  /** The child's JSON answer; rejects with its name, exit code and stderr if it fails. */
  done: Promise<T>;
  /** Lets the child start its work. */
  go(): void;
}

export function startReadyGoChild<T>(script: string, args: readonly string[], name: string): ReadyGoChild<T> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: projectRoot });
  let out = "";
  let err = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<T>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.slice("ready\n".length)) as T) : reject(new Error(`${name} exited ${code}: ${err}`)),
    );
  });
  return { ready, done, go: () => child.stdin.write("go\n") };
}

/** The SQLite adapter a child script builds on the file it opens: `const <as> = <factory>(db)`. */
export interface SqliteAdapterImport {
  /** Module file in digest/store/, e.g. "sqlite-lock.ts". */
  module: string;
  factory: string;
  as: string;
}

/**
 * Writes a child script to `path`. Run with `[file, name]`, it opens the SQLite file, builds the
 * adapter, says "ready", waits for "go", runs `work` (TypeScript statements that may use `db`, the
 * adapter and `name`, and fill the variable named by `result`), closes the file and prints `result`
 * as JSON.
 */
export function writeSqliteChildScript(path: string, adapter: SqliteAdapterImport, work: string, result: string): void {
  const moduleUrl = (file: string) => JSON.stringify(new URL(`../../../digest/store/${file}`, import.meta.url).href);
  writeFileSync(
    path,
    `import { openSqlite } from ${moduleUrl("sqlite-db.ts")};
     import { ${adapter.factory} } from ${moduleUrl(adapter.module)};
     const [file, name] = process.argv.slice(2) as [string, string];
     const db = openSqlite({ file }, { busyTimeoutMs: 20_000 });
     const ${adapter.as} = ${adapter.factory}(db);
     process.stdout.write("ready\\n");
     await new Promise((resolve) => process.stdin.once("data", resolve));
     ${work}
     db.close();
     process.stdout.write(JSON.stringify(${result}) + "\\n");
     process.exit(0);`,
  );
}
