import type { ReceiverKindSpec } from './kind';

/** `jira_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const jira: ReceiverKindSpec = {
  kind: 'jira',
  key: 'jira_configs',
  sendResolved: true,
  since: '0.28',
};
