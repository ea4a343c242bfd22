// Every receiver kind of Alertmanager's configuration reference.
import { webhook } from './webhook';
import { slack } from './slack';
import { email } from './email';
import { pagerduty } from './pagerduty';
import { opsgenie } from './opsgenie';
import { victorops } from './victorops';
import { wechat } from './wechat';
import { pushover } from './pushover';
import { sns } from './sns';
import { telegram } from './telegram';
import { discord } from './discord';
import { webex } from './webex';
import { msteams } from './msteams';
import { msteamsv2 } from './msteamsv2';
import { mattermost } from './mattermost';
import { rocketchat } from './rocketchat';
import { incidentio } from './incidentio';
import { jira } from './jira';
import type { ReceiverKind, ReceiverKindSpec } from './kind';

export type { KindCheckContext, ReceiverKind, ReceiverKindSpec } from './kind';
export { secretPair, optUrl, optStr, withGlobal } from './common';
export { MATTERMOST_ATTACHMENT_FIELDS } from './mattermost';

/** The kinds, keyed by kind. A kind without `check` is refused at start-up (named). */
export const RECEIVER_KINDS: Readonly<Record<ReceiverKind, ReceiverKindSpec>> = {
  webhook,
  slack,
  email,
  pagerduty,
  opsgenie,
  victorops,
  wechat,
  pushover,
  sns,
  telegram,
  discord,
  webex,
  msteams,
  msteamsv2,
  mattermost,
  rocketchat,
  incidentio,
  jira,
};

/** `pagerduty_configs` → the spec. */
export const RECEIVER_KIND_BY_KEY: ReadonlyMap<string, ReceiverKindSpec> = new Map(
  Object.values(RECEIVER_KINDS).map((s) => [s.key, s]),
);
