import type { IntegrationFactory } from './context';

/** `webex_configs`: not implemented yet (the config check refuses it at start-up). */
export const webex: IntegrationFactory | null = null;
