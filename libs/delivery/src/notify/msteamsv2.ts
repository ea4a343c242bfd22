import type { IntegrationFactory } from './context';

/** `msteamsv2_configs`: not implemented yet (the config check refuses it at start-up). */
export const msteamsv2: IntegrationFactory | null = null;
