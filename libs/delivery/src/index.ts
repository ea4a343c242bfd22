/** Delivery: the queue port with BullMQ, memory and failover adapters; receivers; templates. */
export * from './notification';
export * from './receiver';
export * from './delivery-retry';
export * from './rate-limiter';
export * from './memory-delivery.queue';
export * from './bullmq-delivery.queue';
export * from './delivery-core';
export * from './failover-delivery.queue';
export * from './templates';
export * from './http-client';
export * from './webhook.receiver';
export * from './slack.receiver';
export * from './email.receiver';
export * from './receiver-factory';
