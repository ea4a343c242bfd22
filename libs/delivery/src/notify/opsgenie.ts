import type { IntegrationFactory } from './context';

/** `opsgenie_configs`: not implemented yet (the config check refuses it at start-up). */
export const opsgenie: IntegrationFactory | null = null;
