/**
 * Webhook delivery as Telegram does it: POST each update, oldest first, with the secret in
 * X-Telegram-Bot-Api-Secret-Token; anything but a 2xx keeps the update and retries it after a
 * growing pause. A JSON answer carrying `method` is executed as an API call (webhook reply).
 */
import type { Update } from "grammy/types";
import type { UpdateQueue } from "./updates.js";

export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

export interface WebhookStatus {
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

const FIRST_RETRY_MS = 50;
const LAST_RETRY_MS = 2000;
const REQUEST_TIMEOUT_MS = 30_000;

export class WebhookDelivery {
  readonly status: WebhookStatus = {};
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;

  constructor(
    readonly config: WebhookConfig,
    private readonly queue: UpdateQueue,
    private readonly executeReply: (method: string, params: Record<string, unknown>) => Promise<void>,
    private readonly clockSeconds: () => number,
  ) {
    this.unsubscribe = queue.onPush(() => this.wake?.());
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    this.abort.abort();
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let delayMs = FIRST_RETRY_MS;
    while (!this.stopped) {
      const [update] = this.queue.peek(1);
      if (!update) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      if (await this.deliver(update)) {
        this.queue.remove(update.update_id);
        delayMs = FIRST_RETRY_MS;
      } else if (!this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.wake = () => {
            if (this.stopped) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
        this.wake = null;
        delayMs = Math.min(delayMs * 2, LAST_RETRY_MS);
      }
    }
  }

  private async deliver(update: Update): Promise<boolean> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.config.secretToken) headers["x-telegram-bot-api-secret-token"] = this.config.secretToken;
    try {
      const response = await fetch(this.config.url, {
        method: "POST",
        headers,
        body: JSON.stringify(update),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      const body = await response.text();
      if (!response.ok) {
        this.recordError(`Wrong response from the webhook: ${response.status} ${response.statusText}`);
        return false;
      }
      await this.runWebhookReply(body);
      return true;
    } catch (error) {
      if (this.stopped) return false;
      const cause = (error as { cause?: { code?: string } }).cause;
      this.recordError(cause?.code === "ECONNREFUSED" ? "Connection refused" : `Connection failed: ${(error as Error).message}`);
      return false;
    }
  }

  private async runWebhookReply(body: string): Promise<void> {
    if (!body.trimStart().startsWith("{")) return;
    let reply: unknown;
    try {
      reply = JSON.parse(body);
    } catch {
      return; // Telegram ignores answers that are not JSON.
    }
    if (typeof reply === "object" && reply !== null && typeof (reply as { method?: unknown }).method === "string") {
      const { method, ...params } = reply as { method: string } & Record<string, unknown>;
      await this.executeReply(method, params);
    }
  }

  private recordError(message: string): void {
    this.status.lastErrorDate = this.clockSeconds();
    this.status.lastErrorMessage = message;
  }
}
