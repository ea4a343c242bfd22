// Webhook, Slack and e-mail against what Alertmanager 0.25 sent for the same config and alerts
// (test/compat/receivers-am025.json; harness: test/harness/receiver-parity.ts).
import {
  fixtureHeaderNames,
  httpView,
  mailView,
  replayReceiver,
  withoutHeraldExtras,
} from '../../harness/receiver-parity';

describe.each([
  ['webhook', 'webhook-default'],
  ['webhook', 'webhook-custom'],
  ['slack', 'slack-default'],
  ['slack', 'slack-custom'],
])('%s %s: requests equal to Alertmanager 0.25', (kind, name) => {
  it('every phase, field by field', async () => {
    const run = await replayReceiver(kind, name);
    expect(run.results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    const keep = fixtureHeaderNames(kind, name);
    expect(run.actual.map((r) => httpView(withoutHeraldExtras(r), keep))).toEqual(
      run.expected.map((r) => httpView(r, keep)),
    );
  });
});

describe.each([['email-default'], ['email-custom']])('email %s: mails equal to Alertmanager 0.25', (name) => {
  it('subject, addresses, headers and bodies of every phase', async () => {
    const run = await replayReceiver('email', name);
    expect(run.results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(run.actual.map(mailView)).toEqual(run.expected.map(mailView));
  });
});
