// Webhook, Slack and e-mail against what Alertmanager 0.25 sent for the same config and alerts
// (test/compat/receivers-am025.json; harness: test/harness/receiver-parity.ts).
import {
  fixtureHeaderNames,
  httpView,
  mailView,
  replayReceiver,
  withoutHeraldExtras,
  type CapturedRequest,
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

describe('email: mails equal to Alertmanager 0.25', () => {
  it('email-custom: subject, addresses, headers and bodies (custom html/template and text) of every phase', async () => {
    const run = await replayReceiver('email', 'email-custom');
    expect(run.results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(run.actual.map(mailView)).toEqual(run.expected.map(mailView));
  });

  it("email-default: the same mails, the HTML body being Herald's own email.default.html", async () => {
    const run = await replayReceiver('email', 'email-default');
    expect(run.results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    // Deliberate difference (README): Alertmanager's default HTML page is not reproduced; its subject,
    // addresses, headers and part types are. Herald's page carries the same facts, checked below.
    const view = (r: CapturedRequest) => {
      const v = mailView(r);
      return { ...v, parts: v.parts?.map((p) => ({ contentType: p.contentType })) };
    };
    expect(run.actual.map(view)).toEqual(run.expected.map(view));
    const html = run.actual[0].parts![0].body;
    expect(html).toContain('<title>[FIRING:3] HighLatency (prod api)</title>');
    expect(html).toContain('<h3>[3] Firing</h3>');
    expect(html).toContain('Check the &lt;db&gt; &amp; cache.'); // escaped by html/template
    expect(html).toContain('href="http://prometheus.example:9090/graph?g0.expr=latency%3E2"');
    expect(run.actual[2].parts![0].body).toContain('<h3>[3] Resolved</h3>');
  });
});
