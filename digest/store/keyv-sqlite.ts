/**
 * keyv's key-value API over the `kv` table of the shared SqliteDb. Replaces @keyv/sqlite (see
 * DESIGN §6): batches run in one transaction, and the iterator pages by key instead of recursing.
 */
import { EventEmitter } from "node:events";
import Keyv from "keyv";
import type { KeyvStoreAdapter, StoredData } from "keyv";
import type { SqliteDb } from "./sqlite-db.js";

export interface KeyvSqliteOptions {
  /** Rows fetched per iterator page. */
  iteratorPageSize?: number;
  /** The clock for TTLs. keyv stamps expiry with Date.now(), so that is the default. */
  now?: () => number;
}

interface KvEntry {
  key: string;
  value: unknown;
  ttl?: number;
}

interface KvRow {
  key: string;
  value: string;
}

/** Writes between two sweeps of expired rows. */
const SWEEP_EVERY = 1000;

/**
 * The upper bound of the keys that start with `prefix`: the prefix with its last character bumped
 * (keys under "ns:" sort below "ns;"). Lets SQLite answer a namespace with an index range.
 */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export class KeyvSqliteStore extends EventEmitter implements KeyvStoreAdapter {
  /** `dialect: "sqlite"` is how keyv decides that this store can iterate. */
  opts: { dialect: "sqlite"; iteratorPageSize: number };
  /** Set by keyv; keys arrive already prefixed with `${namespace}:`. */
  namespace?: string | undefined;

  private readonly now: () => number;
  private readonly sql;
  private writesSinceSweep = 0;
  private readonly setAllInOneTransaction: (entries: readonly KvEntry[]) => void;

  constructor(db: SqliteDb, options: KeyvSqliteOptions = {}) {
    super();
    this.opts = { dialect: "sqlite", iteratorPageSize: options.iteratorPageSize ?? 1000 };
    this.now = options.now ?? (() => Date.now());
    const c = db.connection;
    const live = "(expires IS NULL OR expires > @now)";
    const page = `SELECT key, value FROM kv WHERE ${live}`;
    this.sql = {
      get: c.prepare<{ key: string; now: number }, string>(`SELECT value FROM kv WHERE key = @key AND ${live}`).pluck(),
      getMany: c.prepare<{ keys: string; now: number }, KvRow>(
        `SELECT key, value FROM kv WHERE key IN (SELECT value FROM json_each(@keys)) AND ${live}`,
      ),
      set: c.prepare<{ key: string; value: string; expires: number | null }>(
        `INSERT INTO kv (key, value, expires) VALUES (@key, @value, @expires)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
      ),
      delete: c.prepare<[string]>("DELETE FROM kv WHERE key = ?"),
      deleteMany: c.prepare<[string]>("DELETE FROM kv WHERE key IN (SELECT value FROM json_each(?))"),
      deleteExpired: c.prepare<[number]>("DELETE FROM kv WHERE expires <= ?"),
      deleteRange: c.prepare<[string, string]>("DELETE FROM kv WHERE key >= ? AND key < ?"),
      deleteAll: c.prepare("DELETE FROM kv"),
      // Keyset pagination: each page starts after the last key of the previous one.
      firstInRange: c.prepare<{ from: string; to: string; now: number; n: number }, KvRow>(
        `${page} AND key >= @from AND key < @to ORDER BY key LIMIT @n`,
      ),
      nextInRange: c.prepare<{ from: string; to: string; now: number; n: number }, KvRow>(
        `${page} AND key > @from AND key < @to ORDER BY key LIMIT @n`,
      ),
      firstOfAll: c.prepare<{ now: number; n: number }, KvRow>(`${page} ORDER BY key LIMIT @n`),
      nextOfAll: c.prepare<{ from: string; now: number; n: number }, KvRow>(
        `${page} AND key > @from ORDER BY key LIMIT @n`,
      ),
    };
    const setAll = c.transaction((entries: readonly KvEntry[]) => {
      for (const { key, value, ttl } of entries) this.sql.set.run({ key, value: String(value), expires: this.expiry(ttl) });
    });
    this.setAllInOneTransaction = (entries) => setAll.immediate(entries);
  }

  private expiry(ttl: number | undefined): number | null {
    return typeof ttl === "number" && ttl > 0 ? this.now() + ttl : null;
  }

  // keyv hands the store the string it serialised and reads the same string back; the adapter
  // type says StoredData<Value> because other stores may keep deserialised objects.
  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = this.sql.get.get({ key, now: this.now() });
    return value as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const rows = this.sql.getMany.all({ keys: JSON.stringify(keys), now: this.now() });
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => byKey.get(key) as StoredData<Value | undefined>);
  }

  /** keyv passes its serialised string; `ttl` in ms makes the row expire. */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.sql.set.run({ key, value: String(value), expires: this.expiry(ttl) });
    this.sweepNowAndThen(1);
    return true;
  }

  /** All or nothing, in one transaction: one commit for the whole batch, not one per row. */
  async setMany(entries: KvEntry[]): Promise<void> {
    this.setAllInOneTransaction(entries);
    this.sweepNowAndThen(entries.length);
  }

  /**
   * Reads hide expired rows, but nothing else removes them; sweeping once per SWEEP_EVERY writes
   * keeps the table from growing with dead rows without a timer (the sweep is an index range).
   */
  private sweepNowAndThen(writes: number): void {
    this.writesSinceSweep += writes;
    if (this.writesSinceSweep < SWEEP_EVERY) return;
    this.writesSinceSweep = 0;
    this.deleteExpired();
  }

  async delete(key: string): Promise<boolean> {
    return this.sql.delete.run(key).changes > 0;
  }

  /** True when at least one of the keys existed. */
  async deleteMany(keys: string[]): Promise<boolean> {
    return this.sql.deleteMany.run(JSON.stringify(keys)).changes > 0;
  }

  async has(key: string): Promise<boolean> {
    return this.sql.get.get({ key, now: this.now() }) !== undefined;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    const values = await this.getMany(keys);
    return values.map((value) => value !== undefined);
  }

  /** Clears this store's namespace only; with no namespace, the whole table. */
  async clear(): Promise<void> {
    if (this.namespace) {
      const prefix = `${this.namespace}:`;
      this.sql.deleteRange.run(prefix, prefixEnd(prefix));
    } else {
      this.sql.deleteAll.run();
    }
  }

  /** Removes expired rows (reads already hide them); returns how many. */
  deleteExpired(): number {
    return this.sql.deleteExpired.run(this.now()).changes;
  }

  /**
   * Live entries under `namespace` (all when absent) as [prefixed key, serialised value], in key
   * order, one page of `iteratorPageSize` rows at a time. Each page is a finished query, so the
   * caller may write (keyv deletes expired keys) while iterating.
   */
  async *iterator<Value>(namespace?: string): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const n = this.opts.iteratorPageSize;
    const prefix = namespace ? `${namespace}:` : undefined;
    const range = prefix === undefined ? undefined : { to: prefixEnd(prefix) };
    let last: string | undefined;
    for (;;) {
      const now = this.now();
      let rows: KvRow[];
      if (range === undefined) {
        rows = last === undefined ? this.sql.firstOfAll.all({ now, n }) : this.sql.nextOfAll.all({ from: last, now, n });
      } else {
        rows =
          last === undefined
            ? this.sql.firstInRange.all({ from: prefix!, to: range.to, now, n })
            : this.sql.nextInRange.all({ from: last, to: range.to, now, n });
      }
      for (const row of rows) yield [row.key, row.value];
      if (rows.length < n) return;
      last = rows[rows.length - 1]!.key;
    }
  }

  /** The SqliteDb is shared with the other adapters; its owner closes it, not keyv. */
  async disconnect(): Promise<void> {}
}

/** A keyv over the shared database. Errors always throw (DESIGN §6: keyv swallows them otherwise). */
export function createKeyv<Value = unknown>(db: SqliteDb, namespace: string, options?: KeyvSqliteOptions): Keyv<Value> {
  // Without a namespace keyv's clear() would empty the whole table, every other namespace included.
  if (namespace === "") throw new RangeError("createKeyv: namespace must not be empty");
  return new Keyv<Value>({ store: new KeyvSqliteStore(db, options), namespace, throwOnErrors: true });
}
