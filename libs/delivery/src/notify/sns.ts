import type { IntegrationFactory } from './context';

/** `sns_configs`: not implemented yet (the config check refuses it at start-up). */
export const sns: IntegrationFactory | null = null;
