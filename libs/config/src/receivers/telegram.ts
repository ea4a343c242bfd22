import type { ReceiverKindSpec } from './kind';

/** `telegram_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const telegram: ReceiverKindSpec = {
  kind: 'telegram',
  key: 'telegram_configs',
  sendResolved: true,
  since: '0.24',
};
