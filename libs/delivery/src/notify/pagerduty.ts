import type { IntegrationFactory } from './context';

/** `pagerduty_configs`: not implemented yet (the config check refuses it at start-up). */
export const pagerduty: IntegrationFactory | null = null;
