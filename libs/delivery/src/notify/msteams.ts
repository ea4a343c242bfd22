import type { IntegrationFactory } from './context';

/** `msteams_configs`: not implemented yet (the config check refuses it at start-up). */
export const msteams: IntegrationFactory | null = null;
