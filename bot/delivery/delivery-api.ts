/**
 * The delivery worker's own grammY `Api`: the bulk lane of the send budget under
 * @grammyjs/auto-retry, which waits out every 429 exactly and never drops a message.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, type Transformer } from "grammy";
import type { SendBudget } from "./send-budget.js";

export interface DeliveryApiOptions {
  token: string;
  /** TELEGRAM_API_ROOT. */
  apiRoot?: string;
  budget: SendBudget;
  /** Installed first, so they see every attempt (tests record calls with them). */
  transformers?: Transformer[];
}

/**
 * The worker's own `Api`: bulk lane of the budget, then auto-retry that waits out every 429 however
 * long (never drops) but hands 5xx and network errors back, so that the outbox (crash-safe) does the
 * backing off instead of a retry loop that a crash would forget.
 */
export function createDeliveryApi(options: DeliveryApiOptions): Api {
  const api = new Api(options.token, options.apiRoot ? { apiRoot: options.apiRoot } : undefined);
  for (const transformer of options.transformers ?? []) api.config.use(transformer);
  api.config.use(options.budget.transformer("bulk"));
  api.config.use(
    autoRetry({
      maxDelaySeconds: Number.POSITIVE_INFINITY,
      maxRetryAttempts: Number.POSITIVE_INFINITY,
      rethrowInternalServerErrors: true,
      rethrowHttpErrors: true,
    }),
  );
  return api;
}
