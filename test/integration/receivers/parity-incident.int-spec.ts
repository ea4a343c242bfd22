// PagerDuty (Events API v2 and v1), Opsgenie and VictorOps against what Alertmanager 0.25 sent for the
// same config and alerts (test/compat/receivers-am025.json; harness: test/harness/receiver-parity.ts).
// No deliberate differences on the wire: every request must equal the recorded one field by field
// (headers: the fixture's names minus user-agent/content-length; JSON bodies compared parsed).
import {
  fixtureHeaderNames,
  httpView,
  replayReceiver,
  type CapturedRequest,
} from '../../harness/receiver-parity';

// JSON-only kinds: no form to compare, any non-JSON body compared as text.
const http = (r: CapturedRequest, keep: readonly string[]) => httpView(r, keep, { form: 'none' });

describe.each([
  ['pagerduty', 'pagerduty-v2-default', 3],
  ['pagerduty', 'pagerduty-v2-custom', 3],
  // v1 posts to PagerDuty's fixed https URL through http_config.proxy_url (the capture answers CONNECT).
  ['pagerduty', 'pagerduty-v1-default', 3],
  ['pagerduty', 'pagerduty-v1-custom', 3],
  ['opsgenie', 'opsgenie-default', 3],
  // update_alerts: create + message and description updates while firing, close when resolved.
  ['opsgenie', 'opsgenie-custom', 7],
  ['victorops', 'victorops-default', 3],
  ['victorops', 'victorops-custom', 3],
])('%s %s: requests equal to Alertmanager 0.25', (kind, name, count) => {
  it(`all ${count} requests of the three phases, field by field`, async () => {
    const run = await replayReceiver(kind, name);
    expect(run.results).toEqual([{ kind: 'ok' }, { kind: 'ok' }, { kind: 'ok' }]);
    expect(run.expected).toHaveLength(count);
    const keep = fixtureHeaderNames(kind, name);
    expect(run.actual.map((r) => http(r, keep))).toEqual(run.expected.map((r) => http(r, keep)));
  });
});
