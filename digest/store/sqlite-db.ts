/**
 * Opening the embedded SQLite database: one file, WAL, a versioned schema migrated on start.
 * Every failure to open comes out as a StoreOpenError that tells the operator what to do.
 */
import { mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { StoreOpenError } from "./errors.js";

export type SqliteConnection = Database.Database;

/** An open database shared by every SQLite adapter (articles, key-value, later outbox and locks). */
export interface SqliteDb {
  /** Absolute path of the database file. */
  readonly file: string;
  readonly connection: SqliteConnection;
  /** The schema version after migration (= the number of migration steps applied). */
  readonly schemaVersion: number;
  /** Closes the connection; the adapters built on it stop working. Safe to call twice. */
  close(): void;
}

/** One schema change. Its version is its 1-based position in the list. */
export interface Migration {
  /** What the step adds, for error messages. */
  readonly description: string;
  readonly apply: (connection: SqliteConnection) => void;
}

/**
 * The schema, in order. Append only: never edit or reorder a step that has shipped, since
 * databases in the field record how many steps they have applied (`PRAGMA user_version`).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    description: "articles",
    apply: (c) =>
      c.exec(`
        CREATE TABLE articles (
          id           TEXT    PRIMARY KEY,
          seq          INTEGER NOT NULL UNIQUE,
          url          TEXT    NOT NULL,
          published_at INTEGER NOT NULL,
          content_hash TEXT    NOT NULL,
          json         TEXT    NOT NULL,
          quotes       TEXT,
          ingested_at  INTEGER NOT NULL,
          updated_at   INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX articles_by_published ON articles (published_at DESC, seq DESC);
      `),
  },
  {
    description: "key-value table for keyv",
    apply: (c) =>
      c.exec(`
        CREATE TABLE kv (
          key     TEXT PRIMARY KEY,
          value   TEXT NOT NULL,
          expires INTEGER
        ) STRICT;
        CREATE INDEX kv_by_expiry ON kv (expires) WHERE expires IS NOT NULL;
      `),
  },
  {
    description: "subscribers",
    // chat_id is the rowid: paging by chat id walks the table itself; group ids are negative, which
    // a rowid allows.
    apply: (c) =>
      c.exec(`
        CREATE TABLE subscribers (
          chat_id       INTEGER PRIMARY KEY,
          lang          TEXT,
          status        TEXT    NOT NULL CHECK (status IN ('active', 'paused')),
          paused_reason TEXT,
          subscribed_at INTEGER NOT NULL,
          cursor        INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX subscribers_by_status ON subscribers (status);
      `),
  },
  {
    description: "outbox of digests to deliver",
    // The payload lives once per digest; each (digest, chat) row only points at it. The partial
    // index holds just the rows a claim can take (pending or claimed), in enqueue order, so a claim
    // reads a handful of index entries however many sent rows the table has collected.
    apply: (c) =>
      c.exec(`
        CREATE TABLE outbox_digests (
          id          TEXT    PRIMARY KEY,
          payload     TEXT    NOT NULL,
          created_at  INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE outbox_items (
          id          INTEGER PRIMARY KEY,
          digest_id   TEXT    NOT NULL REFERENCES outbox_digests (id),
          chat_id     INTEGER NOT NULL,
          status      TEXT    NOT NULL CHECK (status IN ('pending', 'claimed', 'sent', 'failed')),
          enqueued_at INTEGER NOT NULL,
          not_before  INTEGER NOT NULL,
          worker      TEXT,
          lease_until INTEGER,
          attempts    INTEGER NOT NULL DEFAULT 0,
          last_error  TEXT
        ) STRICT;
        CREATE UNIQUE INDEX outbox_items_by_digest_chat ON outbox_items (digest_id, chat_id);
        CREATE INDEX outbox_items_open ON outbox_items (id, status, not_before, lease_until)
          WHERE status IN ('pending', 'claimed');
        CREATE INDEX outbox_items_by_digest_status ON outbox_items (digest_id, status);
      `),
  },
  {
    description: "locks",
    apply: (c) =>
      c.exec(`
        CREATE TABLE locks (
          name       TEXT    PRIMARY KEY,
          owner      TEXT    NOT NULL,
          expires_at INTEGER NOT NULL
        ) STRICT;
      `),
  },
  {
    description: "article change numbers (catch-up of edits across instances)",
    // Every add or update takes max + 1 inside put's write transaction; existing rows start at their seq.
    apply: (c) =>
      c.exec(`
        ALTER TABLE articles ADD COLUMN change INTEGER NOT NULL DEFAULT 0;
        UPDATE articles SET change = seq;
        CREATE INDEX articles_by_change ON articles (change);
      `),
  },
];

export const DATABASE_FILE_NAME = "digest.sqlite";

export type SqliteLocation = { dataDir: string } | { file: string };

export interface OpenSqliteOptions {
  /** How long to wait for another connection's lock before giving up (ms). */
  busyTimeoutMs?: number;
  /** The schema steps; tests pass their own list to exercise migration itself. */
  migrations?: readonly Migration[];
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the database at `<dataDir>/digest.sqlite` or at `file`, and migrates
 * its schema to the latest version. Throws StoreOpenError for a corrupt, read-only, locked or
 * too-new database.
 */
export function openSqlite(location: SqliteLocation, options: OpenSqliteOptions = {}): SqliteDb {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const migrations = options.migrations ?? MIGRATIONS;
  const file = databaseFile(location);

  let connection: SqliteConnection;
  try {
    connection = new Database(file, { timeout: busyTimeoutMs });
  } catch (error) {
    throw explainOpenFailure(file, error, busyTimeoutMs);
  }
  try {
    connection.pragma("journal_mode = WAL");
    connection.pragma("synchronous = NORMAL");
    connection.pragma("foreign_keys = ON");
    const schemaVersion = migrate(connection, file, migrations);
    return {
      file,
      connection,
      schemaVersion,
      close: () => {
        if (connection.open) connection.close();
      },
    };
  } catch (error) {
    connection.close();
    throw error instanceof StoreOpenError ? error : explainOpenFailure(file, error, busyTimeoutMs);
  }
}

/** The database file for `location`; creates its directory, as a first run expects. */
function databaseFile(location: SqliteLocation): string {
  const file = "file" in location ? resolve(location.file) : join(resolve(location.dataDir), DATABASE_FILE_NAME);
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new StoreOpenError(
      dir,
      "cannot-open",
      `the data directory cannot be created (${errorText(error)}). Create it, or point the store at another directory (DATA_DIR).`,
      { cause: error },
    );
  }
  return file;
}

/**
 * Applies the pending steps, each in its own IMMEDIATE transaction (so two processes starting at
 * once cannot both apply a step: the second waits, then sees the new version and skips it).
 */
function migrate(
  connection: SqliteConnection,
  file: string,
  migrations: readonly Migration[],
): number {
  const latest = migrations.length;
  const readVersion = (): number => connection.pragma("user_version", { simple: true }) as number;
  const refuseNewer = (found: number): void => {
    if (found > latest) {
      throw new StoreOpenError(
        file,
        "newer-schema",
        `its schema is version ${found}, but this build knows versions up to ${latest}. ` +
          `Run the newer build that wrote it, or restore a backup made by this build.`,
      );
    }
  };

  const applyStep = connection.transaction((version: number): void => {
    const found = readVersion();
    refuseNewer(found);
    if (found >= version) return;
    migrations[version - 1]!.apply(connection);
    connection.pragma(`user_version = ${version}`);
  });
  // Rewriting the version is the one write every open makes: a file we can read but not write
  // then fails here, at start, instead of at the first article stored hours later.
  const proveWritable = connection.transaction((): void => {
    const found = readVersion();
    refuseNewer(found);
    connection.pragma(`user_version = ${found}`);
  });

  const start = readVersion();
  refuseNewer(start);
  for (let version = start + 1; version <= latest; version++) {
    try {
      applyStep.immediate(version);
    } catch (error) {
      if (error instanceof StoreOpenError || isEnvironmentFailure(error)) throw error;
      const step = migrations[version - 1]!;
      throw new StoreOpenError(
        file,
        "migration-failed",
        `schema migration ${version} (${step.description}) failed: ${errorText(error)}. ` +
          `The database was left at version ${version - 1}; fix the cause and restart.`,
        { cause: error },
      );
    }
  }
  if (start === latest) proveWritable.immediate();
  return readVersion();
}

const sqliteCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;

/** Errors about the file or its locks, not about a migration's SQL. */
function isEnvironmentFailure(error: unknown): boolean {
  const code = sqliteCode(error) ?? "";
  return /^SQLITE_(BUSY|LOCKED|READONLY|CANTOPEN|NOTADB|CORRUPT|IOERR|FULL|PERM|AUTH)/.test(code);
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = sqliteCode(error);
  return code ? `${code}: ${error.message}` : error.message;
}

/** Turns what better-sqlite3 threw while opening into advice an operator can act on. */
function explainOpenFailure(file: string, error: unknown, busyTimeoutMs: number): StoreOpenError {
  const code = sqliteCode(error) ?? "";
  const companions = `${basename(file)}-wal and ${basename(file)}-shm`;
  const detail = ` (${errorText(error)})`;
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
    return new StoreOpenError(
      file,
      "corrupt",
      `the file is not a SQLite database, or it is damaged${detail}. ` +
        `Move it aside (or restore a backup) and start again: a missing file is created empty.`,
      { cause: error },
    );
  }
  if (/^SQLITE_(READONLY|PERM|AUTH)/.test(code)) {
    return new StoreOpenError(
      file,
      "read-only",
      `the database can be read but not written${detail}. ` +
        `Make the file, its directory (${dirname(file)}) and ${companions} writable by this user ` +
        `(check permissions, read-only mounts and the immutable attribute), or use another data directory.`,
      { cause: error },
    );
  }
  if (/^SQLITE_CANTOPEN/.test(code) || /^(EACCES|EPERM|EROFS|ENOTDIR|EISDIR)$/.test(code)) {
    return new StoreOpenError(
      file,
      "cannot-open",
      `the file cannot be opened or created${detail}. ` +
        `Check that the path is a file (not a directory) and that its directory (${dirname(file)}) lets this user ` +
        `create ${basename(file)}, ${companions}.`,
      { cause: error },
    );
  }
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return new StoreOpenError(
      file,
      "locked",
      `another process holds a lock on it and did not release it within ${busyTimeoutMs} ms${detail}. ` +
        `Stop the other program using this file (another instance of the bot?), or give each instance its own ` +
        `data directory; several machines share state through Redis, not one SQLite file.`,
      { cause: error },
    );
  }
  if (/^SQLITE_(IOERR|FULL)/.test(code)) {
    return new StoreOpenError(
      file,
      "io-error",
      `the disk refused a read or write${detail}. Check free space and the health of the storage.`,
      { cause: error },
    );
  }
  return new StoreOpenError(file, "unexpected", `unexpected failure${detail}.`, { cause: error });
}
