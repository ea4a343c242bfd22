import type { IntegrationFactory } from './context';

/** `mattermost_configs`: not implemented yet (the config check refuses it at start-up). */
export const mattermost: IntegrationFactory | null = null;
