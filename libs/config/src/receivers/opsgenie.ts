import type { ReceiverKindSpec } from './kind';

/** `opsgenie_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const opsgenie: ReceiverKindSpec = {
  kind: 'opsgenie',
  key: 'opsgenie_configs',
  sendResolved: true,
  since: '0.1',
};
