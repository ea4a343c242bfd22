// Webhook, Slack and e-mail against what Alertmanager 0.25 sent for the same config and alerts
// (test/compat/receivers-am025.json; harness: test/harness/receiver-parity.ts).
import {
  comparableHeaders,
  fixtureReceivers,
  replayReceiver,
  type CapturedRequest,
} from '../../harness/receiver-parity';

/** Herald's deliberate additions on the wire, left out of the comparison (README: receivers). */
const heraldExtras = (r: CapturedRequest): CapturedRequest => {
  const json = r.json as Record<string, unknown> | undefined;
  if (json && 'notification_reason' in json) {
    const { notification_reason: _reason, ...rest } = json;
    return { ...r, json: rest };
  }
  return r;
};

const http = (r: CapturedRequest, keep: readonly string[]) => ({
  phase: r.phase,
  method: r.method,
  path: r.path,
  url: r.url,
  query: r.query,
  headers: comparableHeaders(r.headers, keep),
  json: r.json,
  form: r.form,
  body: r.json === undefined && r.form === undefined ? r.body : undefined,
});

describe.each([
  ['webhook', 'webhook-default'],
  ['webhook', 'webhook-custom'],
  ['slack', 'slack-default'],
  ['slack', 'slack-custom'],
])('%s %s: requests equal to Alertmanager 0.25', (kind, name) => {
  it('every phase, field by field', async () => {
    const run = await replayReceiver(kind, name);
    expect(run.results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    const keep = Object.keys(fixtureReceivers(kind)[name].requests[0].headers);
    expect(run.actual.map((r) => http(heraldExtras(r), keep))).toEqual(
      run.expected.map((r) => http(r, keep)),
    );
  });
});

describe.each([['email-default'], ['email-custom']])('email %s: mails equal to Alertmanager 0.25', (name) => {
  it('subject, addresses, headers and bodies of every phase', async () => {
    const run = await replayReceiver('email', name);
    expect(run.results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    const view = (r: CapturedRequest) => ({
      phase: r.phase,
      from: r.from,
      to: r.to,
      subject: (r.headers as Record<string, string>).subject,
      headers: Object.fromEntries(
        Object.entries(r.headers as Record<string, string>).filter(
          ([k]) => k.startsWith('x-') && !k.startsWith('x-herald'),
        ),
      ),
      parts: r.parts,
    });
    expect(run.actual.map(view)).toEqual(run.expected.map(view));
  });
});
