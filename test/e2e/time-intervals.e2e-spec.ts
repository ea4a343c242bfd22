import { post, startSinkStack, type SinkStack } from '../harness/app';
import { waitUntil } from '../harness/wait';

/**
 * A mute time interval on a running node (Redis mode), on the real clock: the interval covers the
 * current minute up to the next minute boundary at least LEAD_MS away, so the window ends while the
 * test watches. An alert of the muted route is flushed (every second) and not sent inside the window,
 * and is sent as a first notification by the first flush after it; an alert of an unmuted route
 * is sent at once (the node is flushing). Time intervals have minute resolution, so this waits for
 * at most LEAD_MS plus a minute (about half a minute on average); no clock is faked.
 */
const LEAD_MS = 15_000;
const MINUTE = 60_000;

/** `HH:MM` of a minute of the day (1440 is `24:00`). */
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** The mute window: from the current UTC minute to `end` (a minute boundary), as `times` ranges. */
function window(now: number, end: number): string {
  const from = Math.floor(now / MINUTE) % 1440;
  const to = (end / MINUTE) % 1440 || 1440;
  const ranges =
    from < to
      ? [[from, to]]
      : [
          [from, 1440],
          [0, to],
        ]; // it may cross midnight UTC
  return ranges.map(([s, e]) => `{ start_time: '${hhmm(s)}', end_time: '${hhmm(e)}' }`).join(', ');
}

const config = (sinkUrl: string, times: string) => `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['team="db"']
      mute_time_intervals: [maintenance]
    - matchers: ['team="web"']
receivers:
  - name: hook
    webhook_configs:
      - url: ${sinkUrl}/hook
time_intervals:
  - name: maintenance
    time_intervals:
      - times: [${times}]
herald:
  scheduler:
    tick: 100ms
`;

type Payload = { groupKey: string; status: string; notification_reason?: string; alerts: unknown[] };

describe('time intervals on a running node', () => {
  let stack: SinkStack | undefined;
  afterEach(() => stack?.close());

  it('holds a muted route back during its mute interval and notifies at the first flush after it', async () => {
    const now = Date.now();
    let end = Math.ceil(now / MINUTE) * MINUTE;
    if (end - now < LEAD_MS) end += MINUTE;
    stack = await startSinkStack((url) => config(url, window(now, end)));
    const { node, sink } = stack;
    const sent = (team: string) =>
      sink.accepted.filter((r) => (r.json as Payload).groupKey.includes(`team="${team}"`));
    const skipped = async () => {
      const text = await (await fetch(`${node.url}/metrics`)).text();
      return Number(/herald_flush_total\{outcome="skipped"\} (\d+)/.exec(text)?.[1] ?? 0);
    };

    const alerts = [
      { labels: { alertname: 'Muted', team: 'db' } },
      { labels: { alertname: 'Control', team: 'web' } },
    ];
    expect((await post(`${node.url}/api/v2/alerts`, alerts)).status).toBe(200);
    await sink.waitFor(() => sent('web').length === 1, 10_000, 'the unmuted route notified');
    // Both groups flush every second: a few flushes that sent nothing, the muted group's among them.
    await waitUntil(async () => (await skipped()) >= 4, { timeoutMs: 10_000, what: 'muted flushes' });
    expect(Date.now()).toBeLessThan(end); // still inside the window (LEAD_MS leaves room for the above)
    expect(sent('db')).toEqual([]);

    await sink.waitFor(() => sent('db').length > 0, end - Date.now() + 10_000, 'the muted route notified');
    const [first] = sent('db');
    expect(first.at).toBeGreaterThanOrEqual(end);
    expect(first.at).toBeLessThan(end + 5_000); // the first flush after the window, not a later one
    expect(first.json).toMatchObject({ status: 'firing', notification_reason: 'first notification' });
    expect(first.headers['idempotency-key']).toMatch(/-1$/); // sequence 1: the muted flushes logged nothing
    expect(sent('web')).toHaveLength(1);
  }, 120_000);
});
