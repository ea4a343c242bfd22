import type { IntegrationFactory } from './context';

/** `wechat_configs`: not implemented yet (the config check refuses it at start-up). */
export const wechat: IntegrationFactory | null = null;
