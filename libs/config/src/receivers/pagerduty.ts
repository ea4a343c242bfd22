import type { ReceiverKindSpec } from './kind';

/** `pagerduty_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const pagerduty: ReceiverKindSpec = {
  kind: 'pagerduty',
  key: 'pagerduty_configs',
  sendResolved: true,
  since: '0.1',
};
