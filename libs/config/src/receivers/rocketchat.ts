import type { ReceiverKindSpec } from './kind';

/** `rocketchat_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const rocketchat: ReceiverKindSpec = {
  kind: 'rocketchat',
  key: 'rocketchat_configs',
  sendResolved: false,
  since: '0.28',
};
