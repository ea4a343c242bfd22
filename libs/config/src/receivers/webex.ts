import type { ReceiverKindSpec } from './kind';

/** `webex_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const webex: ReceiverKindSpec = {
  kind: 'webex',
  key: 'webex_configs',
  sendResolved: true,
  since: '0.25',
};
