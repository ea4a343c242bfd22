import type { ReceiverKindSpec } from './kind';

/** `msteamsv2_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const msteamsv2: ReceiverKindSpec = {
  kind: 'msteamsv2',
  key: 'msteamsv2_configs',
  sendResolved: true,
  since: '0.28',
};
