/**
 * Errors raised by the store adapters, and the argument checks that raise them. Each error says what
 * failed, where, and what to do, and keeps the underlying error as `cause`.
 */

/** Why a database could not be opened; decides the advice in the message. */
export type StoreOpenFailure =
  | "corrupt"
  | "read-only"
  | "cannot-open"
  | "locked"
  | "newer-schema"
  | "migration-failed"
  | "io-error"
  | "unexpected";

/** Opening (or migrating) the embedded database failed; `message` tells the operator what to do. */
export class StoreOpenError extends Error {
  override name = "StoreOpenError";
  constructor(
    /** The database file (or the data directory, when that could not be created). */
    readonly path: string,
    readonly reason: StoreOpenFailure,
    explanation: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot open the store at ${path}: ${explanation}`, options);
  }
}

/** A store was used after `close()`. */
export class StoreClosedError extends Error {
  override name = "StoreClosedError";
  constructor(
    readonly store: string,
    readonly operation: string,
  ) {
    super(`${store}.${operation}() called after close()`);
  }
}

/** A stored row could not be read back (its JSON does not parse): the file was edited or damaged. */
export class StoredDataError extends Error {
  override name = "StoredDataError";
  constructor(
    readonly table: string,
    readonly key: string,
    readonly column: string,
    options?: { cause?: unknown },
  ) {
    super(`${table} row ${JSON.stringify(key)}: column ${column} is not valid JSON`, options);
  }
}

/**
 * A limit/offset/sequence argument must be a non-negative safe integer. Checked in the adapters
 * because SQLite reads a negative LIMIT as "no limit" and a fractional one is silently truncated.
 */
export function requireCount(operation: string, name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${operation}: ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
