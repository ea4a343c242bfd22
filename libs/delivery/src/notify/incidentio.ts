import type { IntegrationFactory } from './context';

/** `incidentio_configs`: not implemented yet (the config check refuses it at start-up). */
export const incidentio: IntegrationFactory | null = null;
