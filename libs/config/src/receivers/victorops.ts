import type { ReceiverKindSpec } from './kind';

/** `victorops_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const victorops: ReceiverKindSpec = {
  kind: 'victorops',
  key: 'victorops_configs',
  sendResolved: true,
  since: '0.1',
};
