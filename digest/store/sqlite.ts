/**
 * The embedded SQLite engine in one import: opening the database (sqlite-db.ts) and the adapters
 * built on it. The key-value adapter lives in keyv-sqlite.ts.
 */
export { DATABASE_FILE_NAME, MIGRATIONS, openSqlite } from "./sqlite-db.js";
export type { Migration, OpenSqliteOptions, SqliteConnection, SqliteDb, SqliteLocation } from "./sqlite-db.js";
export { createSqliteArticleStore } from "./sqlite-articles.js";
