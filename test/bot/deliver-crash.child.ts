/**
 * The fan-out process of deliver-crash.test.ts: opens the SQLite outbox at DB_FILE, drains it
 * through the emulator at API_ROOT, and exits 0 once every item is sent or failed. The parent kills
 * it with SIGKILL at random points and starts it again.
 */
import { openSqlite } from "../../digest/index.js";
import { createSqliteOutbox } from "../../digest/store/sqlite-outbox.js";
import { createSqliteSubscriberStore } from "../../digest/store/sqlite-subscribers.js";
import { createDeliveryApi, createDeliveryWorker, SendBudget } from "../../bot/deliver.js";
import { createLogger } from "../../bot/logger.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`deliver-crash.child: ${name} is not set`);
  return value;
};

const db = openSqlite({ file: env("DB_FILE") });
const outbox = createSqliteOutbox(db);
const subscribers = createSqliteSubscriberStore(db);
const budget = new SendBudget({ rate: Number(env("RATE")), maxBulkInFlight: Number(env("MAX_IN_FLIGHT")) });
const api = createDeliveryApi({ token: "123456:crash-test-token-abcdefghijklmnop", apiRoot: env("API_ROOT"), budget });
const worker = createDeliveryWorker({
  outbox,
  subscribers,
  api,
  logger: createLogger("warn"),
  workerId: env("WORKER_ID"),
  // Short leases: the items a killed run held come back soon.
  leaseMs: Number(env("LEASE_MS")),
  pollMs: 100,
});
worker.start();
process.stdout.write("started\n");
for (;;) {
  await worker.idle();
  const stats = await outbox.stats();
  // Items the killed run still held become due when their lease ends: keep going until none is open.
  if (stats.pending === 0 && stats.claimed === 0) break;
}
await worker.stop();
db.close();
process.stdout.write("drained\n");
