// Discord, Telegram, Webex and Pushover against what Alertmanager 0.25 sent for the same config and
// alerts (test/compat/receivers-am025.json; harness: test/harness/receiver-parity.ts).
//
// Deliberate differences, left out of the comparison:
// - user-agent: Herald names itself (the harness passes Alertmanager/0.25.0; Alertmanager's Telegram
//   client sent Go-http-client/1.1); comparableHeaders drops user-agent and content-length for every kind.
import { fixtureHeaderNames, httpView, replayReceiver } from '../../harness/receiver-parity';

describe.each([
  ['discord', 'discord-default'],
  ['discord', 'discord-custom'],
  ['webex', 'webex-default'],
  ['webex', 'webex-custom'],
  ['telegram', 'telegram-default'],
  ['telegram', 'telegram-custom'],
  ['pushover', 'pushover-default'],
  ['pushover', 'pushover-custom'],
])('%s %s: requests equal to Alertmanager 0.25', (kind, name) => {
  it('every phase, field by field', async () => {
    const run = await replayReceiver(kind, name);
    expect(run.results).toEqual([{ kind: 'ok' }, { kind: 'ok' }, { kind: 'ok' }]);
    const keep = fixtureHeaderNames(kind, name);
    expect(run.actual.map((r) => httpView(r, keep))).toEqual(run.expected.map((r) => httpView(r, keep)));
  });
});
