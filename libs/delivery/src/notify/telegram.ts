import type { IntegrationFactory } from './context';

/** `telegram_configs`: not implemented yet (the config check refuses it at start-up). */
export const telegram: IntegrationFactory | null = null;
