import type { IntegrationFactory } from './context';

/** `rocketchat_configs`: not implemented yet (the config check refuses it at start-up). */
export const rocketchat: IntegrationFactory | null = null;
