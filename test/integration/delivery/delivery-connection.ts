import type { Redis } from 'ioredis';
import type { DeliveryConnection, DeliveryModeSource } from '@herald/delivery';
import { redisConnection } from '@herald/redis';

/** The BullMQ adapter's clients as the app makes them (libs/redis' fail-fast and blocking clients). */
export function deliveryConnection(
  url: string,
  o: { commandTimeout?: number; connectTimeout?: number } = {},
): DeliveryConnection {
  return redisConnection({
    url,
    commandTimeout: o.commandTimeout ?? 1000,
    connectTimeout: o.connectTimeout ?? 2000,
  });
}

/**
 * Stands in for the failover group store's mode: degraded once something reports Redis unavailable,
 * PING-probed every `intervalMs` until it answers, then up again.
 */
export class ProbingModeSource implements DeliveryModeSource {
  degraded = false;
  private readonly listeners = new Set<(degraded: boolean) => void>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: Redis,
    private readonly intervalMs: number,
  ) {}

  onModeChange(cb: (degraded: boolean) => void): () => void {
    this.listeners.add(cb);
    return () => void this.listeners.delete(cb);
  }

  reportUnavailable(): void {
    if (this.degraded) return;
    this.set(true);
    this.timer = setInterval(
      () =>
        void this.client.ping().then(
          () => {
            clearInterval(this.timer);
            this.set(false);
          },
          () => undefined,
        ),
      this.intervalMs,
    );
  }

  close(): void {
    clearInterval(this.timer);
    this.client.disconnect();
  }

  private set(degraded: boolean): void {
    this.degraded = degraded;
    for (const cb of this.listeners) cb(degraded);
  }
}
