// Jira (Alertmanager 0.28+) end to end against a small fake of Jira's REST API v2 written here: issue
// search (JQL), create, update, transitions list and transition. The receiver is built through the
// config loader as at start-up; the fake checks method, path, Basic auth and the JSON shapes, and keeps
// the issues so the life cycle runs as on a real Jira: first firing creates, a refire updates, a
// resolved group is resolved by its transition, a refire within reopen_duration reopens the same issue.
// Then 429/5xx are retried (Retry-After honoured) and 400/401 give up with Jira's error text.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Receiver } from '@herald/delivery';
import { testAlert, testNotification } from '../../harness/notifications';
import { allResolved, givenUp, receiverOf, retried, signal } from '../../harness/receiver-retry';

const USER = 'bot@example.com';
const TOKEN = 'api-token';
const AUTH = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;
const TRANSITIONS = { resolve: { id: '31', name: 'Done' }, reopen: { id: '41', name: 'Reopen' } };

interface Issue {
  key: string;
  fields: Record<string, any>;
  category: 'new' | 'done';
  resolved: number | null;
}

interface Seen {
  method: string;
  path: string;
  body: any;
}

/** Jira's REST API v2, as much of it as the integration uses, with request checks. */
class JiraFake {
  readonly issues: Issue[] = [];
  readonly requests: Seen[] = [];
  readonly problems: string[] = [];
  /** Statuses to answer the next requests with instead of serving them (0: serve that one). */
  failures: number[] = [];
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/rest/api/2`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    const path = req.url ?? '';
    const method = req.method ?? '';
    let body: any;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      this.problems.push(`${method} ${path}: body is not JSON`);
    }
    this.requests.push({ method, path, body });
    const send = (status: number, out?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(out === undefined ? '' : JSON.stringify(out));
    };
    const fail = this.failures.shift();
    if (fail === 429) return send(429, { errorMessages: ['Rate limit exceeded'] }, { 'retry-after': '2' });
    if (fail === 400)
      return send(400, { errorMessages: [], errors: { customfield_10000: 'Field does not exist' } });
    if (fail) return send(fail, { errorMessages: ['Internal server error'] });
    if (req.headers.authorization !== AUTH) return send(401, { errorMessages: ['Unauthorized'] });
    if (req.headers['content-type'] !== 'application/json')
      this.problems.push(`${method} ${path}: content-type ${req.headers['content-type']}`);
    if (req.headers['user-agent'] !== 'Herald/test')
      this.problems.push(`${method} ${path}: user-agent ${req.headers['user-agent']}`);

    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === '/rest/api/2/search') return send(200, this.search(body));
    if (method === 'POST' && path === '/rest/api/2/issue') {
      this.checkFields(body, true);
      const issue: Issue = {
        key: `OPS-${this.issues.length + 1}`,
        fields: body.fields,
        category: 'new',
        resolved: null,
      };
      this.issues.push(issue);
      return send(201, { id: String(10000 + this.issues.length), key: issue.key, self: 'x' });
    }
    if ((m = path.match(/^\/rest\/api\/2\/issue\/([A-Z]+-\d+)(\/transitions)?$/))) {
      const issue = this.issues.find((i) => i.key === m![1]);
      if (!issue)
        return send(404, {
          errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        });
      if (!m[2] && method === 'PUT') {
        this.checkFields(body, false);
        issue.fields = { ...issue.fields, ...body.fields };
        return send(204);
      }
      if (m[2] && method === 'GET') {
        if (body !== undefined) this.problems.push('GET transitions with a body');
        // As a workflow offers: Done from an open issue, Reopen from a done one.
        return send(200, {
          transitions: [issue.category === 'done' ? TRANSITIONS.reopen : TRANSITIONS.resolve],
        });
      }
      if (m[2] && method === 'POST') {
        const id = body?.transition?.id;
        if (id === TRANSITIONS.resolve.id && issue.category === 'new') {
          issue.category = 'done';
          issue.resolved = Date.now();
        } else if (id === TRANSITIONS.reopen.id && issue.category === 'done') {
          issue.category = 'new';
          issue.resolved = null;
        } else return send(400, { errorMessages: [`Transition id '${id}' is not valid for this issue.`] });
        return send(204);
      }
    }
    this.problems.push(`unexpected ${method} ${path}`);
    return send(404, { errorMessages: ['not found'] });
  }

  private search(body: any) {
    if (!Array.isArray(body?.fields) || typeof body.jql !== 'string' || typeof body.maxResults !== 'number')
      this.problems.push(`search body ${JSON.stringify(body)}`);
    const jql: string = body?.jql ?? '';
    const label = jql.match(/labels="(ALERT\{[0-9a-f]{64}\})"/)?.[1];
    const project = jql.match(/project="([^"]*)"/)?.[1];
    if (!label || !project) this.problems.push(`jql ${jql}`);
    const within = jql.match(/resolutiondate >= -(\d+)m/);
    const hits = this.issues
      .filter((i) => i.fields.labels.includes(label) && i.fields.project.key === project)
      .filter((i) =>
        within
          ? i.resolved === null || Date.now() - i.resolved <= Number(within[1]) * 60_000
          : i.category !== 'done',
      )
      .sort((a, b) => (a.category === b.category ? 0 : a.category === 'new' ? -1 : 1));
    return {
      issues: hits.slice(0, body?.maxResults ?? 50).map((i) => ({
        key: i.key,
        fields: {
          status: { name: i.category === 'done' ? 'Done' : 'To Do', statusCategory: { key: i.category } },
        },
      })),
    };
  }

  private checkFields(body: any, create: boolean) {
    const f = body?.fields;
    if (!f || typeof f !== 'object') return this.problems.push('no fields');
    if (typeof f.project?.key !== 'string') this.problems.push('fields.project.key');
    if (typeof f.issuetype?.name !== 'string') this.problems.push('fields.issuetype.name');
    if (!Array.isArray(f.labels) || !f.labels.some((l: string) => /^ALERT\{[0-9a-f]{64}\}$/.test(l)))
      this.problems.push('fields.labels without the group label');
    if (create && typeof f.summary !== 'string') this.problems.push('fields.summary');
    if (typeof f.summary === 'string' && [...f.summary].length > 255) this.problems.push('summary too long');
    if (f.description !== undefined && typeof f.description !== 'string')
      this.problems.push('v2 description must be a string');
    return undefined;
  }
}

describe('jira_configs against a Jira REST fake', () => {
  const fake = new JiraFake();
  let api: string;
  let receiver: Receiver;
  const build = (extra: Record<string, unknown> = {}) =>
    receiverOf(
      'jira',
      {
        api_url: api,
        project: 'OPS',
        issue_type: 'Incident',
        labels: ['alertmanager', '{{ .CommonLabels.alertname }}'],
        resolve_transition: 'Done',
        reopen_transition: 'Reopen',
        reopen_duration: '1h',
        wont_fix_resolution: "Won't Do",
        http_config: { basic_auth: { username: USER, password: TOKEN } },
        ...extra,
      },
      {
        herald: { external_url: 'http://alertmanager.example:9093' },
        hostname: 'jira',
        defaultTimeoutMs: 2000,
      },
    );
  const firing = () =>
    testNotification({
      alerts: [
        testAlert({ alertname: 'HighCPU', instance: 'a', severity: 'critical' }),
        testAlert({ alertname: 'HighCPU', instance: 'b', severity: 'warning' }, {}, true),
      ],
    });
  const calls = (from: number) => fake.requests.slice(from).map((r) => `${r.method} ${r.path}`);

  beforeAll(async () => {
    api = await fake.start();
    receiver = build();
  });
  afterAll(() => fake.stop());
  afterEach(() => expect(fake.problems).toEqual([]));

  it('first firing searches, finds nothing and creates the issue', async () => {
    expect(await receiver.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(calls(0)).toEqual(['POST /rest/api/2/search', 'POST /rest/api/2/issue']);
    expect(fake.requests[0].body.jql).toMatch(
      /^\(resolution is EMPTY or resolution != "Won't Do"\) and \(resolutiondate is EMPTY OR resolutiondate >= -60m\) and project="OPS" and labels="ALERT\{[0-9a-f]{64}\}" order by status ASC,resolutiondate DESC$/,
    );
    expect(fake.issues).toHaveLength(1);
    const f = fake.issues[0].fields;
    expect(f.project).toEqual({ key: 'OPS' });
    expect(f.issuetype).toEqual({ name: 'Incident' });
    expect(f.priority).toEqual({ name: 'High' });
    expect(f.labels.slice(1)).toEqual(['HighCPU', 'alertmanager']);
    expect(f.summary).toMatch(/^\[FIRING:1\] HighCPU/);
  });

  it('a refire updates the same issue (no transition: it is open)', async () => {
    const from = fake.requests.length;
    expect(await receiver.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(calls(from)).toEqual(['POST /rest/api/2/search', 'PUT /rest/api/2/issue/OPS-1']);
    expect(fake.issues).toHaveLength(1);
  });

  it('the resolved group is resolved by resolve_transition', async () => {
    const from = fake.requests.length;
    expect(await receiver.send(allResolved(), signal())).toEqual({ kind: 'ok' });
    expect(calls(from)).toEqual([
      'POST /rest/api/2/search',
      'PUT /rest/api/2/issue/OPS-1',
      'GET /rest/api/2/issue/OPS-1/transitions',
      'POST /rest/api/2/issue/OPS-1/transitions',
    ]);
    expect(fake.requests[from].body.jql).toContain('statusCategory != Done and project="OPS"');
    expect(fake.requests.at(-1)!.body).toEqual({ transition: { id: '31' } });
    expect(fake.issues[0].category).toBe('done');
    expect(fake.issues[0].fields.summary).toMatch(/^\[RESOLVED\] HighCPU/);
  });

  it('a resolved group whose issue is already done sends nothing more than the search', async () => {
    const from = fake.requests.length;
    expect(await receiver.send(allResolved(), signal())).toMatchObject({
      kind: 'ok',
      skipped: expect.any(String),
    });
    expect(calls(from)).toEqual(['POST /rest/api/2/search']);
  });

  it('firing again within reopen_duration reopens the same issue', async () => {
    const from = fake.requests.length;
    expect(await receiver.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(calls(from)).toEqual([
      'POST /rest/api/2/search',
      'PUT /rest/api/2/issue/OPS-1',
      'GET /rest/api/2/issue/OPS-1/transitions',
      'POST /rest/api/2/issue/OPS-1/transitions',
    ]);
    expect(fake.requests.at(-1)!.body).toEqual({ transition: { id: '41' } });
    expect(fake.issues).toHaveLength(1);
    expect(fake.issues[0].category).toBe('new');
  });

  it('without reopen_transition a done issue is left alone and a new one is created', async () => {
    await receiver.send(allResolved(), signal());
    const plain = build({ reopen_transition: undefined, reopen_duration: undefined });
    const from = fake.requests.length;
    expect(await plain.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(calls(from)).toEqual(['POST /rest/api/2/search', 'POST /rest/api/2/issue']);
    expect(fake.issues.map((i) => `${i.key} ${i.category}`)).toEqual(['OPS-1 done', 'OPS-2 new']);
  });

  it('429 is retried as rateLimited honouring Retry-After; 5xx as serverError; then it delivers', async () => {
    fake.failures = [429];
    expect(await receiver.send(firing(), signal())).toMatchObject(
      retried('rateLimited', { status: 429, retryAfterMs: 2000 }),
    );
    const from = fake.requests.length;
    fake.failures = [0, 503]; // 0: the search is served; the update answers 503
    expect(await receiver.send(firing(), signal())).toMatchObject(
      retried('serverError', {
        status: 503,
        message: 'update issue: unexpected status code 503: Internal server error',
      }),
    );
    expect(calls(from)).toEqual(['POST /rest/api/2/search', 'PUT /rest/api/2/issue/OPS-2']);
    expect(await receiver.send(firing(), signal())).toEqual({ kind: 'ok' });
  });

  it("400 gives up as clientError with Jira's errors; bad credentials give up as authError", async () => {
    fake.failures = [0, 400];
    expect(await receiver.send(firing(), signal())).toEqual(
      givenUp('clientError', {
        status: 400,
        message: 'update issue: unexpected status code 400: customfield_10000: Field does not exist',
      }),
    );
    const wrong = build({ http_config: { basic_auth: { username: USER, password: 'wrong' } } });
    expect(await wrong.send(firing(), signal())).toEqual(
      givenUp('authError', {
        status: 401,
        message: 'search issues: unexpected status code 401: Unauthorized',
      }),
    );
  });
});
