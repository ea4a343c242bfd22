/** Injection token of this node's DeliveryQueue (BullMQ with the memory fallback, or memory). */
export const DELIVERY_QUEUE = Symbol('DELIVERY_QUEUE');
/** Injection token of the receivers built from the config (integrations by receiver name). */
export const RECEIVERS = Symbol('RECEIVERS');
/** Injection token of the NflogRecorder: the notification log's side of flushes and deliveries. */
export const NFLOG_RECORDER = Symbol('NFLOG_RECORDER');
