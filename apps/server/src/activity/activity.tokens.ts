/** Injection token of the node's `NotificationHistory` (Redis stream per tenant, or the memory ring). */
export const NOTIFICATION_HISTORY = Symbol('NOTIFICATION_HISTORY');
/** Injection token of the node's `EventLog` (Redis streams with one reader per node, or in process). */
export const EVENT_LOG = Symbol('EVENT_LOG');
