/**
 * The delivery side of issue 5, re-exported from its parts so existing imports keep working:
 * the send budget, the worker's Api, failure classification, the payload and the worker.
 */
export { SendAbortedError, SendBudget } from "./delivery/send-budget.js";
export type { SendBudgetOptions, SendLane, SendPermit } from "./delivery/send-budget.js";
export { createDeliveryApi } from "./delivery/delivery-api.js";
export type { DeliveryApiOptions } from "./delivery/delivery-api.js";
export { classifySendError } from "./delivery/classify.js";
export type { SendFailure } from "./delivery/classify.js";
export { DigestPayloadError, messagesOfPayload } from "./delivery/payload.js";
export type { OutboxMessage } from "./delivery/payload.js";
export { createDeliveryWorker } from "./delivery/worker.js";
export type { DeliveryCounters, DeliveryWorker, DeliveryWorkerOptions } from "./delivery/worker.js";
