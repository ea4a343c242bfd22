import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { round, spawnLogged } from './procs';

export interface LoadOptions {
  /** Full URL of `POST /api/v2/alerts`. */
  url: string;
  /** Request bodies, cycled (each connection starts at its own offset). */
  bodies: string[];
  connections: number;
  durationS: number;
  /** Alerts per body, for alerts/s. */
  batch: number;
  /** Extra request headers (e.g. a tenant's `authorization`); autocannon only. */
  headers?: Record<string, string>;
  /** Requests per second over all connections (a paced load instead of as fast as possible); autocannon only. */
  overallRate?: number;
}

export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  tool: string;
  /** Measured seconds (the tool's own clock). */
  durationS: number;
  /** Completed responses, any status. */
  requests: number;
  /**
   * Requests written, the ones still in flight when the load stopped included (they reach the server
   * all the same); autocannon only, wrk does not report it.
   */
  sent: number | null;
  requestsPerSec: number;
  /** requestsPerSec × batch. */
  alertsPerSec: number;
  latencyMs: LatencyMs;
  non2xx: number;
  /** Responses by HTTP status. */
  statusCodes: Record<string, number>;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
}

/** Lets Ctrl-C stop a running load. */
let stopCurrent: (() => void) | undefined;
export function stopLoad(): void {
  stopCurrent?.();
}

/**
 * autocannon from this process: the request buffers are built once per connection and cycled, so the
 * generator costs little CPU. Latency is taken from every response (2xx or not) at sub-ms precision.
 */
export function runAutocannon(o: LoadOptions): Promise<LoadResult> {
  const u = new URL(o.url);
  const request = (body: string): autocannon.Request => ({
    method: 'POST',
    path: u.pathname,
    headers: { 'content-type': 'application/json', ...o.headers },
    body,
  });
  const stride = Math.max(1, Math.floor(o.bodies.length / o.connections));
  let clientNo = 0;
  let samples = new Float64Array(1 << 16);
  let n = 0;
  const statusCodes: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${u.protocol}//${u.host}`,
        connections: o.connections,
        duration: o.durationS,
        pipelining: 1,
        timeout: 10,
        ...(o.overallRate ? { overallRate: o.overallRate } : {}),
        requests: o.bodies.map(request),
        // Start each connection at a different body, as Prometheus shards would, instead of all in step.
        setupClient: (client) => {
          const off = (clientNo++ * stride) % o.bodies.length;
          client.setRequests([...o.bodies.slice(off), ...o.bodies.slice(0, off)].map(request));
        },
      },
      (err: unknown, res: autocannon.Result) => {
        stopCurrent = undefined;
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const lat = samples.subarray(0, n).sort();
        const pct = (p: number) => (n === 0 ? 0 : lat[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]);
        let sum = 0;
        for (const v of lat) sum += v;
        const non2xx = Object.entries(statusCodes)
          .filter(([code]) => !code.startsWith('2'))
          .reduce((a, [, c]) => a + c, 0);
        resolve({
          tool: `autocannon ${autocannonVersion()}`,
          durationS: round(res.duration, 2),
          requests: n,
          sent: res.requests.sent,
          requestsPerSec: round(n / res.duration, 1),
          alertsPerSec: Math.round((n / res.duration) * o.batch),
          latencyMs: {
            p50: round(pct(50), 2),
            p90: round(pct(90), 2),
            p99: round(pct(99), 2),
            max: round(pct(100), 2),
            mean: round(n ? sum / n : 0, 2),
          },
          non2xx,
          statusCodes,
          errors: res.errors,
          timeouts: res.timeouts,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (n === samples.length) {
        const bigger = new Float64Array(samples.length * 2);
        bigger.set(samples);
        samples = bigger;
      }
      samples[n++] = responseTime;
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
    stopCurrent = () => instance.stop();
  });
}

function autocannonVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return '?';
  }
}

export interface WrkOptions extends LoadOptions {
  /** shared/bench/alerts.lua */
  script: string;
  groups: number;
  pool: number;
  logPath: string;
}

/** `wrk --latency` with the reference Lua script; its bodies are the same as `buildBodies`. */
export async function runWrk(o: WrkOptions): Promise<LoadResult> {
  const u = new URL(o.url);
  const threads = Math.min(2, o.connections);
  const child = await spawnLogged(
    'wrk',
    'wrk',
    [
      `-t${threads}`,
      `-c${o.connections}`,
      `-d${o.durationS}s`,
      '-s',
      o.script,
      '--latency',
      `${u.protocol}//${u.host}${u.pathname}`,
    ],
    o.logPath,
    {
      env: {
        ...process.env,
        BATCH: String(o.batch),
        POOL: String(o.pool),
        GROUPS: String(o.groups),
        APATH: u.pathname,
      },
    },
  );
  stopCurrent = () => child.proc.kill('SIGINT');
  const code = await child.exited;
  stopCurrent = undefined;
  const out = readFileSync(o.logPath, 'utf8');
  if (code !== '0') throw new Error(`wrk exited with ${code}:\n${out}`);
  return parseWrk(out, o.batch);
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function ms(v: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v ?? '');
  return m ? round(Number(m[1]) * UNIT_MS[m[2]], 2) : NaN;
}

/** Reads wrk's report (with --latency). */
export function parseWrk(out: string, batch: number): LoadResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(out);
  if (!total) throw new Error(`cannot read wrk output:\n${out}`);
  const requests = Number(total[1]);
  const durationS = ms(`${total[2]}${total[3]}`) / 1000;
  const pct = (p: number) => ms(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1]);
  const lat = /^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errs = sock ? sock.slice(1).map(Number) : [0, 0, 0, 0];
  return {
    tool: 'wrk',
    durationS: round(durationS, 2),
    requests,
    sent: null,
    requestsPerSec: round(requests / durationS, 1),
    alertsPerSec: Math.round((requests / durationS) * batch),
    latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: ms(lat?.[3]), mean: ms(lat?.[1]) },
    non2xx,
    statusCodes: non2xx ? { 'non-2xx/3xx': non2xx, '2xx/3xx': requests - non2xx } : { '2xx/3xx': requests },
    errors: errs.reduce((a, b) => a + b, 0),
    timeouts: errs[3],
  };
}
