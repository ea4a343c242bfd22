import type { ReceiverKindSpec } from './kind';

/** `pushover_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const pushover: ReceiverKindSpec = {
  kind: 'pushover',
  key: 'pushover_configs',
  sendResolved: true,
  since: '0.1',
};
