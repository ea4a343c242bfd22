import type { ReceiverKindSpec } from './kind';

/** `mattermost_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const mattermost: ReceiverKindSpec = {
  kind: 'mattermost',
  key: 'mattermost_configs',
  sendResolved: true,
  since: '0.30',
};
