/**
 * The tenant fixture of the e2e suites: API keys and users in the config (hashed with a cheap scrypt),
 * an HTTP client that logs in and posts with a key and keeps every body (for the secret scans), the
 * node's captured logs, and a dump of Redis.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { Redis } from 'ioredis';
import pino, { type Logger as PinoLogger } from 'pino';
import { hashSecret } from '@herald/sessions';

// Cheap scrypt for the test config (the cost is in the hash string; production uses N=16384).
const FAST = { N: 1024, r: 8, p: 1 };

/** A fresh random secret (API key or password) tagged for readability. */
export const secret = (tag: string): string => `${tag}-${randomBytes(12).toString('hex')}`;

export interface TenantUser {
  username: string;
  password: string;
  role: 'admin' | 'viewer';
}

/** One tenant of the test config; keys and passwords are the plain secrets, hashed into the YAML. */
export interface TenantSpec {
  id: string;
  name?: string;
  keys?: string[];
  /** Roles of some of `keys` (by the plain key); the others get the default (`ingest`). */
  keyRoles?: Record<string, 'ingest' | 'viewer' | 'admin'>;
  /** YAML flow mapping of `limits`, e.g. `{ max_groups: 1 }`. */
  limits?: string;
  users?: TenantUser[];
}

const hashed = async (s: string) => JSON.stringify(await hashSecret(s, FAST));

/** The `tenants:` block (indented for `herald:`) of the given tenants. */
export async function tenantsYaml(tenants: TenantSpec[]): Promise<string> {
  const out = ['  tenants:'];
  for (const t of tenants) {
    out.push(`    - id: ${t.id}`);
    if (t.name) out.push(`      name: ${t.name}`);
    if (t.keys) {
      const entry = async (k: string) => {
        const role = t.keyRoles?.[k];
        return role ? `{ hash: ${await hashed(k)}, role: ${role} }` : hashed(k);
      };
      out.push(`      api_keys: [${(await Promise.all(t.keys.map(entry))).join(', ')}]`);
    }
    if (t.limits) out.push(`      limits: ${t.limits}`);
    if (t.users) {
      out.push('      users:');
      for (const u of t.users)
        out.push(
          `        - { username: ${u.username}, password_hash: ${await hashed(u.password)}, role: ${u.role} }`,
        );
    }
  }
  return out.join('\n') + '\n';
}

/** The secrets of the two-team fixture (`twoTeams`): one API key per team and a password per user. */
export interface TwoTeams {
  keyA: string;
  keyB: string;
  /** team-a admin */
  alice: string;
  /** team-a viewer */
  victor: string;
  /** team-b admin */
  bob: string;
}

export const twoTeamSecrets = (): TwoTeams => ({
  keyA: secret('key-a'),
  keyB: secret('key-b'),
  alice: secret('pw-alice'),
  victor: secret('pw-victor'),
  bob: secret('pw-bob'),
});

/** The `tenants:` block of two teams: team-a (alice admin, victor viewer) and team-b (bob admin). */
export function twoTeams(s: TwoTeams): Promise<string> {
  return tenantsYaml([
    {
      id: 'team-a',
      keys: [s.keyA],
      users: [
        { username: 'alice', password: s.alice, role: 'admin' },
        { username: 'victor', password: s.victor, role: 'viewer' },
      ],
    },
    { id: 'team-b', keys: [s.keyB], users: [{ username: 'bob', password: s.bob, role: 'admin' }] },
  ]);
}

/** Every line any Nest logger wrote, as `level [context] message`. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add(level: string, message: unknown, params: unknown[]): void {
    const context =
      typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : '';
    const rest = params.slice(0, -1).map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
    this.lines.push(
      `${level} [${context}] ${typeof message === 'string' ? message : JSON.stringify(message)} ${rest.join(' ')}`,
    );
    if (process.env.HERALD_TEST_LOGS) console.log(this.lines[this.lines.length - 1]);
  }
  log(m: unknown, ...p: unknown[]): void {
    this.add('log', m, p);
  }
  error(m: unknown, ...p: unknown[]): void {
    this.add('error', m, p);
  }
  warn(m: unknown, ...p: unknown[]): void {
    this.add('warn', m, p);
  }
  debug(m: unknown, ...p: unknown[]): void {
    this.add('debug', m, p);
  }
  verbose(m: unknown, ...p: unknown[]): void {
    this.add('verbose', m, p);
  }
}

/** The request log (pino JSON lines) of a node, kept as parsed objects. */
export class RequestLogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly logger: PinoLogger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
        if (process.env.HERALD_TEST_LOGS) process.stdout.write(line);
      },
    },
  );
}

/** A response as the tests see it; every one is kept so the secret scan can read them all. */
export interface Res {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** HTTP client recording every response body. */
export class Client {
  readonly bodies: string[] = [];

  async call(
    method: string,
    url: string,
    opts: {
      token?: string;
      auth?: string;
      body?: unknown;
      /** Sent as X-Forwarded-For (believed only from a trusted proxy: loopback by default). */
      ip?: string;
      /** Local loopback address to connect from (e.g. 127.0.0.2), to be an untrusted peer. */
      from?: string;
      headers?: Record<string, string>;
      /** A body sent as is (set its content-type in `headers`). */
      raw?: string;
    } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.auth) headers.authorization = opts.auth;
    if (opts.ip) headers['x-forwarded-for'] = opts.ip;
    Object.assign(headers, opts.headers);
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (opts.from) {
      const r = await requestFrom(opts.from, method, url, headers, body);
      this.bodies.push(r.text);
      return r;
    }
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    this.bodies.push(text);
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : '';
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  /** POST /api/v1/auth/login (from an address or through X-Forwarded-For when given). */
  login(
    base: string,
    tenant: string,
    username: string,
    password: string,
    opts: { ip?: string; from?: string } = {},
  ): Promise<Res> {
    return this.call('POST', `${base}/api/v1/auth/login`, { ...opts, body: { tenant, username, password } });
  }

  /** A session token for the user; fails the test if the login is refused. */
  async token(base: string, tenant: string, username: string, password: string): Promise<string> {
    const r = await this.login(base, tenant, username, password);
    if (r.status !== 200) throw new Error(`login of ${tenant}/${username} answered ${r.status}: ${r.text}`);
    return r.body.token as string;
  }
}

/** One HTTP/1.1 request from a chosen local address (fetch cannot bind one). */
export function requestFrom(
  localAddress: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : '';
        } catch {
          /* keep text */
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: h });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every key and value in Redis (SCAN, never KEYS), as one string to search. */
export async function dumpRedis(url: string): Promise<string> {
  const r = new Redis(url);
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) {
        out.push(k);
        const type = await r.type(k);
        if (type === 'string') out.push(String(await r.get(k)));
        else if (type === 'hash') out.push(JSON.stringify(await r.hgetall(k)));
        else if (type === 'zset') out.push(JSON.stringify(await r.zrange(k, '0', '-1', 'WITHSCORES')));
        else if (type === 'set') out.push(JSON.stringify(await r.smembers(k)));
        else if (type === 'list') out.push(JSON.stringify(await r.lrange(k, 0, -1)));
        else out.push(`<${type}>`);
      }
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return out.join('\n');
}
