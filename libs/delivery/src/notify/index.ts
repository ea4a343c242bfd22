// The integration senders by kind (Alertmanager's notify/<kind> packages); their config checks are in
// libs/config/src/receivers.
import type { ReceiverKind } from '@herald/config';
import type { IntegrationFactory } from './context';
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

/** Kind → sender factory; null for kinds Herald does not send (their config check refuses them). */
export const INTEGRATIONS: Readonly<Record<ReceiverKind, IntegrationFactory | null>> = {
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

export * from './context';
