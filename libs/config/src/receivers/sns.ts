import type { ReceiverKindSpec } from './kind';

/** `sns_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const sns: ReceiverKindSpec = {
  kind: 'sns',
  key: 'sns_configs',
  sendResolved: true,
  since: '0.23',
};
