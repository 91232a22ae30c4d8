import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vitest from "vitest";
import { afterAll, describe, expect, it } from "vitest";
import Keyv from "keyv";
import keyvTestSuite, { keyvIteratorTests } from "@keyv/test-suite";
import { openSqlite } from "../../../digest/store/sqlite-db.js";
import { createKeyv, KeyvSqliteStore } from "../../../digest/store/keyv-sqlite.js";

const tempRoot = mkdtempSync(join(tmpdir(), "digest-keyv-sqlite-"));
let dirCount = 0;
const freshDataDir = (): string => join(tempRoot, `db${++dirCount}`);

// The suite builds a new store for every Keyv it makes and expects them all to see the same data,
// as separate clients of one database would.
const sharedDb = openSqlite({ dataDir: freshDataDir() });
afterAll(() => {
  sharedDb.close();
  rmSync(tempRoot, { recursive: true, force: true });
});

describe("@keyv/test-suite against KeyvSqliteStore", () => {
  keyvTestSuite(vitest, Keyv, () => new KeyvSqliteStore(sharedDb));
  keyvIteratorTests(vitest, Keyv, () => new KeyvSqliteStore(sharedDb));
  describe("with 2-row iterator pages, so the iterator tests cross page boundaries", () => {
    keyvIteratorTests(vitest, Keyv, () => new KeyvSqliteStore(sharedDb, { iteratorPageSize: 2 }));
  });
});

describe("KeyvSqliteStore", () => {
  it("writes 100,000 keys with setMany and iterates them all, in key order, without overflowing the stack", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const keyv = createKeyv<{ n: number }>(db, "bulk");
    const total = 100_000;
    const entries = Array.from({ length: total }, (_, n) => ({ key: `k${String(n).padStart(6, "0")}`, value: { n } }));
    await keyv.setMany(entries);
    await createKeyv(db, "other").set("k000000", "not in bulk");

    let seen = 0;
    let previous = "";
    let sum = 0;
    for await (const [key, value] of keyv.iterator!(undefined)) {
      expect(key > previous).toBe(true);
      previous = key;
      sum += (value as { n: number }).n;
      seen++;
    }
    expect(seen).toBe(total);
    expect(sum).toBe((total * (total - 1)) / 2);
    db.close();
  }, 60_000);

  it("keeps values after the database is closed and reopened", async () => {
    const dataDir = freshDataDir();
    let db = openSqlite({ dataDir });
    await createKeyv(db, "cursor").set("chat:42", { seq: 17, paused: false });
    await createKeyv(db, "cursor").set("short-lived", 1, 60_000);
    db.close();

    db = openSqlite({ dataDir });
    const keyv = createKeyv(db, "cursor");
    expect(await keyv.get("chat:42")).toEqual({ seq: 17, paused: false });
    expect(await keyv.get("short-lived")).toBe(1);
    expect(await createKeyv(db, "elsewhere").get("chat:42")).toBeUndefined();
    db.close();
  });

  it("expires rows by TTL on the store's clock, and deleteExpired removes them", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    let clock = Date.UTC(2026, 0, 1);
    const store = new KeyvSqliteStore(db, { now: () => clock });
    store.namespace = "ttl";
    await store.set("ttl:a", "A", 1000);
    await store.set("ttl:b", "B");
    await store.setMany([{ key: "ttl:c", value: "C", ttl: 5000 }]);
    expect(await store.get("ttl:a")).toBe("A");

    clock += 1001;
    expect(await store.get("ttl:a")).toBeUndefined();
    expect(await store.has("ttl:a")).toBe(false);
    expect(await store.getMany(["ttl:a", "ttl:b", "ttl:c"])).toEqual([undefined, "B", "C"]);
    const listed: unknown[] = [];
    for await (const entry of store.iterator("ttl")) listed.push(entry);
    expect(listed).toEqual([["ttl:b", "B"], ["ttl:c", "C"]]);

    // The expired row is hidden but still on disk until swept.
    const rows = db.connection.prepare("SELECT COUNT(*) FROM kv").pluck();
    expect(rows.get()).toBe(3);
    expect(store.deleteExpired()).toBe(1);
    expect(rows.get()).toBe(2);
    db.close();
  });

  it("sweeps expired rows by itself once enough writes have gone by", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    let clock = Date.UTC(2026, 0, 1);
    const keyv = createKeyv(db, "sweep", { now: () => clock });
    await keyv.set("dies", "soon", 10);
    clock += 11;
    const expiredOnDisk = db.connection.prepare("SELECT COUNT(*) FROM kv WHERE key = 'sweep:dies'").pluck();
    await keyv.setMany(Array.from({ length: 998 }, (_, i) => ({ key: `a${i}`, value: i })));
    expect(expiredOnDisk.get()).toBe(1);
    await keyv.set("the-1000th-write", true);
    expect(expiredOnDisk.get()).toBe(0);
    expect(await keyv.get("a997")).toBe(997);
    db.close();
  });

  it("refuses an empty namespace, whose clear() would empty every namespace", () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    expect(() => createKeyv(db, "")).toThrow(RangeError);
    db.close();
  });

  it("keeps namespaces apart for clear and iterator, including keys that only share a prefix", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const ns = createKeyv(db, "ns");
    const nsx = createKeyv(db, "nsx");
    await ns.set("a", 1);
    await ns.set("", "empty key");
    await nsx.set("a", 2);
    const inNs: Array<[string, unknown]> = [];
    for await (const [k, v] of ns.iterator!(undefined)) inNs.push([k as string, v]);
    expect(inNs).toEqual([["", "empty key"], ["a", 1]]);
    await ns.clear();
    expect(await ns.get("a")).toBeUndefined();
    expect(await nsx.get("a")).toBe(2);
    db.close();
  });

  it("throws store errors instead of swallowing them", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const keyv = createKeyv(db, "closed");
    db.close();
    await expect(keyv.set("a", 1)).rejects.toThrow(/not open/);
    await expect(keyv.get("a")).rejects.toThrow(/not open/);
  });
});
