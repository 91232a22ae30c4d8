/**
 * How updates leave the emulator: getUpdates long polling (one consumer at a time, 409 for a
 * second one or while a webhook is set) or a webhook. Telegram's wording for the conflicts.
 */
import type { Update } from "grammy/types";
import type { EmulatorCore } from "./core.js";
import { ApiError, badRequest } from "./errors.js";
import { WebhookDelivery } from "./webhook.js";

export interface PollRequest {
  offset?: number;
  limit?: number;
  timeoutSeconds?: number;
  allowedUpdates?: string[];
  /** Resolves when the client goes away (aborted fetch); the poll then ends silently. */
  closed: Promise<void>;
  isClosed: () => boolean;
}

interface ActivePoll {
  finish: (outcome: Update[] | ApiError) => void;
  isClosed: () => boolean;
  closed: Promise<void>;
}

/** How long a new getUpdates waits for the previous one's aborted connection to close. */
const ABORT_SETTLE_MS = 50;
const MAX_POLL_SECONDS = 50;

export class UpdateDelivery {
  private active: ActivePoll | null = null;

  constructor(
    private readonly core: EmulatorCore,
    private readonly executeReply: (method: string, params: Record<string, unknown>) => Promise<void>,
  ) {}

  async getUpdates(request: PollRequest): Promise<Update[]> {
    if (this.core.webhook) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", true);
    }
    await this.terminatePrevious();
    const limit = request.limit ?? 100;
    if (limit < 1 || limit > 100) throw badRequest("limit must be between 1 and 100");
    if (request.offset !== undefined) this.core.updates.confirm(request.offset);
    this.core.updates.setAllowedUpdates(request.allowedUpdates);
    const ready = this.core.updates.peek(limit);
    const timeoutMs = Math.min(Math.max(request.timeoutSeconds ?? 0, 0), MAX_POLL_SECONDS) * 1000;
    if (ready.length > 0 || timeoutMs === 0) return ready;

    return new Promise<Update[]>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: Update[] | ApiError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        if (this.active === poll) this.active = null;
        if (outcome instanceof ApiError) reject(outcome);
        else resolve(outcome);
      };
      const poll: ActivePoll = { finish, isClosed: request.isClosed, closed: request.closed };
      this.active = poll;
      const timer = setTimeout(() => finish(this.core.updates.peek(limit)), timeoutMs);
      const unsubscribe = this.core.updates.onPush(() => finish(this.core.updates.peek(limit)));
      void request.closed.then(() => finish([]));
    });
  }

  /** Telegram ends the older of two concurrent getUpdates with 409; an aborted one just goes away. */
  private async terminatePrevious(): Promise<void> {
    const previous = this.active;
    if (!previous) return;
    if (!previous.isClosed()) {
      await Promise.race([previous.closed, new Promise((resolve) => setTimeout(resolve, ABORT_SETTLE_MS))]);
    }
    if (this.active !== previous) return;
    if (previous.isClosed()) {
      previous.finish([]);
      return;
    }
    this.core.violations.push({
      method: "getUpdates",
      description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      params: {},
      at: this.core.now(),
    });
    previous.finish(new ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", false));
  }

  async setWebhook(url: string, secretToken: string | undefined, maxConnections: number, allowedUpdates: string[] | undefined, dropPending: boolean): Promise<true> {
    checkWebhookUrl(url);
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest("secret token contains unallowed characters");
    }
    if (maxConnections < 1 || maxConnections > 100) throw badRequest("max_connections must be between 1 and 100");
    await this.core.webhook?.stop();
    this.active?.finish(new ApiError(409, "Conflict: terminated by setWebhook request", false));
    if (dropPending) this.core.updates.clear();
    this.core.updates.setAllowedUpdates(allowedUpdates);
    this.core.webhook = new WebhookDelivery(
      { url, maxConnections, ...(secretToken ? { secretToken } : {}) },
      this.core.updates,
      this.executeReply,
      () => this.core.nowSeconds(),
    );
    return true;
  }

  async deleteWebhook(dropPending: boolean): Promise<true> {
    const webhook = this.core.webhook;
    this.core.webhook = null;
    await webhook?.stop();
    if (dropPending) this.core.updates.clear();
    return true;
  }

  webhookInfo(): Record<string, unknown> {
    const webhook = this.core.webhook;
    const info: Record<string, unknown> = {
      url: webhook?.config.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.core.updates.pendingCount,
    };
    if (webhook) {
      info.max_connections = webhook.config.maxConnections;
      if (webhook.status.lastErrorDate !== undefined) {
        info.last_error_date = webhook.status.lastErrorDate;
        info.last_error_message = webhook.status.lastErrorMessage;
      }
      const allowed = this.core.updates.allowedUpdates;
      if (allowed) info.allowed_updates = allowed;
    }
    return info;
  }

  async close(): Promise<void> {
    this.active?.finish([]);
    await this.core.webhook?.stop();
    this.core.webhook = null;
  }
}

/** Telegram wants HTTPS; plain HTTP is allowed here for loopback hosts so tests need no TLS. */
function checkWebhookUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
    throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  }
}
