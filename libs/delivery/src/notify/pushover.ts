import type { IntegrationFactory } from './context';

/** `pushover_configs`: not implemented yet (the config check refuses it at start-up). */
export const pushover: IntegrationFactory | null = null;
