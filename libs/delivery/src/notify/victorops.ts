import type { IntegrationFactory } from './context';

/** `victorops_configs`: not implemented yet (the config check refuses it at start-up). */
export const victorops: IntegrationFactory | null = null;
