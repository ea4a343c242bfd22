import type { ReceiverKindSpec } from './kind';

/** `discord_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const discord: ReceiverKindSpec = {
  kind: 'discord',
  key: 'discord_configs',
  sendResolved: true,
  since: '0.25',
};
