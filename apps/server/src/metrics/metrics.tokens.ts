import type { DeliveryQueue, DeliveryStatus } from '@herald/delivery';

/** Injection token of this node's HeraldMetrics (its own prom-client registry). */
export const HERALD_METRICS = Symbol('HERALD_METRICS');

/**
 * The delivery queue the flush scheduler built, for the queue metrics and the readiness check
 * (set by FlushScheduler at bootstrap; null until then).
 */
export class DeliveryRef {
  queue: (DeliveryQueue & { status?: () => DeliveryStatus }) | null = null;
}
