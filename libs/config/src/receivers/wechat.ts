import type { ReceiverKindSpec } from './kind';

/** `wechat_configs`: not deliverable yet (no `check`), so start-up refuses it by name. */
export const wechat: ReceiverKindSpec = {
  kind: 'wechat',
  key: 'wechat_configs',
  sendResolved: false,
  since: '0.12',
};
