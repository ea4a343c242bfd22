/** Delivery: the queue port with BullMQ, memory and failover adapters; receivers (notify/<kind>) on Alertmanager's Go templates. */
export * from './notification';
export * from './receiver';
export * from './delivery-retry';
export * from './rate-limiter';
export * from './memory-delivery.queue';
export * from './bullmq-delivery.queue';
export * from './delivery-core';
export * from './failover-delivery.queue';
export * from './http-client';
export * from './notify';
export { webhookBody, webhookSignature, WebhookNotifier } from './notify/webhook';
export { slackMessage, SlackNotifier } from './notify/slack';
export { emailMessage, classifySmtpError, EmailNotifier } from './notify/email';
export * from './receiver-factory';
export * from './sharded-delivery.queue';
