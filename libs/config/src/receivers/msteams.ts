import type { ReceiverKindSpec } from './kind';

/** `msteams_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const msteams: ReceiverKindSpec = {
  kind: 'msteams',
  key: 'msteams_configs',
  sendResolved: true,
  since: '0.26',
};
