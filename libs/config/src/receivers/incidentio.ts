import type { ReceiverKindSpec } from './kind';

/** `incidentio_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const incidentio: ReceiverKindSpec = {
  kind: 'incidentio',
  key: 'incidentio_configs',
  sendResolved: true,
  since: '0.29',
};
