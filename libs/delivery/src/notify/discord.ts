import type { IntegrationFactory } from './context';

/** `discord_configs`: not implemented yet (the config check refuses it at start-up). */
export const discord: IntegrationFactory | null = null;
