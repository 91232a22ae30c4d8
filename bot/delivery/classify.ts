/**
 * What a failed send means for the outbox item: 403 and 400 "chat not found" → the chat is
 * unreachable (pause the subscription, fail the item); 5xx, network errors and a stray 429 → try
 * again later; any other 400 → Telegram will never take the message; a stop before the send → not sent.
 */
import { GrammyError, HttpError } from "grammy";
import { SendAbortedError } from "./send-budget.js";

export type SendFailure =
  /** Telegram says the chat cannot be reached: pause the subscription, fail the item. */
  | { kind: "unreachable"; reason: string }
  /** Telegram will never take this message: log, fail the item. */
  | { kind: "rejected"; reason: string }
  /** Worth another try later (5xx, network, a 429 that slipped through). */
  | { kind: "transient"; reason: string; notBeforeMs?: number }
  /** The worker stopped before the send was made. */
  | { kind: "aborted"; reason: string };

export function classifySendError(error: unknown): SendFailure {
  if (error instanceof SendAbortedError) return { kind: "aborted", reason: error.message };
  if (error instanceof GrammyError) {
    const description = error.description;
    if (error.error_code === 403) return { kind: "unreachable", reason: description.replace(/^Forbidden:\s*/i, "") };
    if (error.error_code === 400 && /chat not found/i.test(description)) return { kind: "unreachable", reason: "chat not found" };
    if (error.error_code === 400 && error.parameters.migrate_to_chat_id !== undefined) {
      return { kind: "unreachable", reason: `group moved to supergroup ${error.parameters.migrate_to_chat_id}` };
    }
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return { kind: "transient", reason: description, notBeforeMs: seconds * 1000 };
    }
    if (error.error_code >= 500) return { kind: "transient", reason: `${error.error_code} ${description}` };
    return { kind: "rejected", reason: `${error.error_code} ${description}` };
  }
  if (error instanceof HttpError) {
    // auto-retry's pause rejects with a plain Error when aborted; grammY wraps network failures.
    return { kind: "transient", reason: `network: ${error.message}` };
  }
  if (error instanceof Error && /aborted while waiting/i.test(error.message)) return { kind: "aborted", reason: error.message };
  return { kind: "transient", reason: error instanceof Error ? error.message : String(error) };
}
