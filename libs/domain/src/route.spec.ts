import { ConfigError } from './errors';
import { fnv1a64 } from './fingerprint';
import {
  allReceivers,
  buildRouteTree,
  groupId,
  groupKey,
  groupLabels,
  labelSetString,
  Route,
  type RouteConfig,
} from './route';

const tree: RouteConfig = {
  receiver: 'default',
  group_by: ['alertname', 'cluster'],
  routes: [
    { matchers: ['team=~"db|infra"'], receiver: 'db', group_by: ['alertname'], group_wait: '10s' },
    { match: { severity: 'critical' }, receiver: 'pager', continue: true, repeat_interval: '1h' },
    { match: { severity: 'critical' }, match_re: { service: 'api|web' }, group_by: ['...'] },
    {
      matchers: ['env="prod"'],
      routes: [{ matchers: ['team="app"'], receiver: 'app' }],
    },
  ],
};

const ids = (rs: Route[]) => rs.map((r) => r.key);

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('buildRouteTree', () => {
  const root = buildRouteTree(tree);
  const [db, pager, all, prod] = root.routes;

  it('applies root defaults and inheritance', () => {
    expect(root).toMatchObject({
      receiver: 'default',
      groupWait: 30_000,
      groupInterval: 300_000,
      repeatInterval: 14_400_000,
    });
    expect(root.groupBy).toEqual(['alertname', 'cluster']);
    expect(db).toMatchObject({
      receiver: 'db',
      groupBy: ['alertname'],
      groupWait: 10_000,
      groupInterval: 300_000,
    });
    expect(pager).toMatchObject({
      receiver: 'pager',
      groupBy: ['alertname', 'cluster'],
      repeatInterval: 3_600_000,
    });
    expect(pager.continue).toBe(true);
    expect(all).toMatchObject({ receiver: 'default', groupByAll: true });
    expect(prod.routes[0]).toMatchObject({
      receiver: 'app',
      groupBy: ['alertname', 'cluster'],
      parent: prod,
    });
  });

  it('builds Alertmanager route keys and ids', () => {
    expect(root.key).toBe('{}');
    expect(root.id).toBe('{}');
    expect(db.key).toBe('{}/{team=~"db|infra"}');
    expect(db.id).toBe('{}/{team=~"db|infra"}/0');
    // match and match_re are merged and sorted by name, then value, then type.
    // Alertmanager keeps match_re values anchored (the compiled config regexp's source).
    expect(all.key).toBe('{}/{service=~"^(?:api|web)$",severity="critical"}');
    expect(prod.routes[0].key).toBe('{}/{env="prod"}/{team="app"}');
    expect(prod.routes[0].id).toBe('{}/{env="prod"}/{team="app"}/0');
  });

  it('matches depth-first with continue semantics', () => {
    expect(ids(root.match({ alertname: 'X', team: 'db' }))).toEqual(['{}/{team=~"db|infra"}']);
    // team=db matches first and has no continue, so severity routes are not reached.
    expect(ids(root.match({ team: 'db', severity: 'critical' }))).toEqual(['{}/{team=~"db|infra"}']);
    // continue on the pager route lets the next sibling match too.
    expect(ids(root.match({ severity: 'critical', service: 'api' }))).toEqual([
      '{}/{severity="critical"}',
      '{}/{service=~"^(?:api|web)$",severity="critical"}',
    ]);
    expect(ids(root.match({ severity: 'critical', env: 'prod' }))).toEqual([
      '{}/{severity="critical"}',
      '{}/{env="prod"}',
    ]);
    // A node whose children all miss is itself the match.
    expect(ids(root.match({ env: 'prod', team: 'web' }))).toEqual(['{}/{env="prod"}']);
    expect(ids(root.match({ env: 'prod', team: 'app' }))).toEqual(['{}/{env="prod"}/{team="app"}']);
    expect(ids(root.match({ alertname: 'nothing' }))).toEqual(['{}']);
    expect(db.match({ team: 'web' })).toEqual([]);
  });

  it('keeps sibling keys unique where Alertmanager collides', () => {
    const r = buildRouteTree({
      receiver: 'r',
      routes: [
        { matchers: ['a="1"'], continue: true, routes: [{ matchers: ['b="2"'] }] },
        { match: { a: '1' }, receiver: 'other', routes: [{ matchers: ['b="2"'] }] },
        { matchers: ['a="2"'] },
        { matchers: ['a="1"'] },
      ],
    });
    expect(r.routes.map((x) => x.key)).toEqual(['{}/{a="1"}', '{}/{a="1"}/1', '{}/{a="2"}', '{}/{a="1"}/3']);
    expect(r.routes.map((x) => x.id)).toEqual([
      '{}/{a="1"}/0',
      '{}/{a="1"}/1',
      '{}/{a="2"}/2',
      '{}/{a="1"}/3',
    ]);
    expect(r.routes[1].routes[0].key).toBe('{}/{a="1"}/1/{b="2"}');
    const all: string[] = [];
    r.walk((x) => all.push(x.key, x.id));
    expect(new Set(all.filter((_, i) => i % 2 === 0)).size).toBe(7);
    expect(new Set(all.filter((_, i) => i % 2 === 1)).size).toBe(7);
  });

  it('lists receivers', () => {
    expect(allReceivers(root)).toEqual(['default', 'db', 'pager', 'app']);
  });

  it('handles group_by edge cases like Alertmanager', () => {
    const r = buildRouteTree({
      receiver: 'r',
      group_by: ['...'],
      routes: [{ group_by: [] }, { group_by: ['a'] }, { routes: [{}] }],
    });
    expect(r.groupByAll).toBe(true);
    expect(r.routes[0].groupByAll).toBe(true); // an empty list inherits
    expect(r.routes[1]).toMatchObject({ groupByAll: false, groupBy: ['a'] });
    expect(r.routes[2].routes[0].groupByAll).toBe(true);
  });

  it.each<[string, RouteConfig, string, RegExp]>([
    ['missing root receiver', {}, 'route.receiver', /default receiver/],
    ['root matchers', { receiver: 'r', matchers: ['a="b"'] }, 'route.matchers', /must not have any matchers/],
    ['root match', { receiver: 'r', match: { a: 'b' } }, 'route.match', /must not have any matchers/],
    ['root continue', { receiver: 'r', continue: true }, 'route.continue', /continue in root/],
    ['root mute', { receiver: 'r', mute_time_intervals: ['x'] }, 'route.mute_time_intervals', /mute time/],
    [
      'root active',
      { receiver: 'r', active_time_intervals: ['x'] },
      'route.active_time_intervals',
      /active time/,
    ],
    ['wildcard with names', { receiver: 'r', group_by: ['...', 'a'] }, 'route.group_by', /wildcard/],
    [
      'duplicate group_by',
      { receiver: 'r', group_by: ['a', 'b', 'a'] },
      'route.group_by[2]',
      /duplicated label "a"/,
    ],
    [
      'invalid group_by (empty name)',
      { receiver: 'r', group_by: ['b', ''] },
      'route.group_by[1]',
      /invalid label name "": must not be empty/,
    ],
    [
      'zero group_interval',
      { receiver: 'r', group_interval: '0s' },
      'route.group_interval',
      /cannot be zero/,
    ],
    [
      'zero repeat_interval',
      { receiver: 'r', repeat_interval: '0' },
      'route.repeat_interval',
      /cannot be zero/,
    ],
    ['bad duration', { receiver: 'r', group_wait: '5 minutes' }, 'route.group_wait', /not a valid duration/],
    [
      'child bad matcher',
      { receiver: 'r', routes: [{}, {}, { matchers: ['a="b"', 'c~"d"'] }] },
      'route.routes[2].matchers[1]',
      /expected one of '=', '!=', '=~', '!~' at position 1/,
    ],
    [
      'child zero interval',
      { receiver: 'r', routes: [{}, { group_interval: '0s' }] },
      'route.routes[1].group_interval',
      /cannot be zero/,
    ],
    [
      'unknown key',
      { receiver: 'r', routes: [{ recevier: 'x' } as RouteConfig] },
      'route.routes[0].recevier',
      /unknown field "recevier"/,
    ],
    [
      'bad match name',
      { receiver: 'r', routes: [{ match: { 'a-b': 'x' } }] },
      'route.routes[0].match["a-b"]',
      /invalid label name/,
    ],
    [
      'bad match_re',
      { receiver: 'r', routes: [{ match_re: { a: '(' } }] },
      'route.routes[0].match_re.a',
      /invalid regular expression/,
    ],
    [
      'continue type',
      { receiver: 'r', routes: [{ continue: 'yes' as unknown as boolean }] },
      'route.routes[0].continue',
      /true or false/,
    ],
    ['routes type', { receiver: 'r', routes: {} as RouteConfig[] }, 'route.routes', /list of routes/],
  ])('rejects %s', (_name, cfg, path, message) => {
    const e = configError(() => buildRouteTree(cfg));
    expect(e.path).toBe(path);
    expect(e.message.startsWith(`${path}: `)).toBe(true);
    expect(e.message).toMatch(message);
  });

  it('uses a custom root path', () => {
    expect(
      configError(() => buildRouteTree({ receiver: 'r', group_wait: 'x' }, { path: 'tenants[0].route' }))
        .path,
    ).toBe('tenants[0].route.group_wait');
  });
});

describe('grouping', () => {
  const root = buildRouteTree(tree);
  const labels = { alertname: 'HighCPU', cluster: 'c1', instance: 'a', severity: 'warning', team: 'db' };

  it('builds the compat-doc group key', () => {
    const [route] = root.match(labels);
    const gl = groupLabels(route, labels);
    expect(gl).toEqual({ alertname: 'HighCPU' });
    expect(groupKey(route, groupLabels(root, labels))).toBe(
      '{}/{team=~"db|infra"}:{alertname="HighCPU", cluster="c1"}',
    );
  });

  it('keeps only present group_by labels, or all with ...', () => {
    expect(groupLabels(root, { alertname: 'x' })).toEqual({ alertname: 'x' });
    expect(groupLabels(root, {})).toEqual({});
    expect(groupLabels(root.routes[2], labels)).toEqual(labels);
  });

  it('prints label sets like model.LabelSet.String()', () => {
    expect(labelSetString({})).toBe('{}');
    expect(labelSetString({ b: 'y', a: 'x"\\\n\té' })).toBe('{a="x\\"\\\\\\n\\té", b="y"}');
  });

  it('derives the group id from the key', () => {
    const key = groupKey(root, { alertname: 'x' });
    expect(groupId(key)).toBe(fnv1a64(key));
    expect(groupId(key)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('UTF-8 label names in routes and group keys', () => {
  const alert = { alertname: 'Down', 'service.name': 'api', 名前: '値' };

  it('groups by a UTF-8 name; the group key prints it unquoted, as Alertmanager ≥ 0.27 does', () => {
    // Alertmanager's key is routeKey + ":" + model.LabelSet.String() (dispatch/dispatch.go GroupKey);
    // prometheus/common v0.70.1 model/labelset_string.go writes every name as is and quotes only values.
    // Expected text: `go run test/compat/utf8-label-vectors.go`.
    const root = buildRouteTree({ receiver: 'r', group_by: ['service.name'] });
    const [route] = root.match(alert);
    expect(groupKey(route, groupLabels(route, alert))).toBe('{}:{service.name="api"}');
    expect(labelSetString({ 'service.name': 'api', 名前: '値', 'foo bar': 'x"y' })).toBe(
      '{foo bar="x\\"y", service.name="api", 名前="値"}',
    );
    expect(labelSetString({ '😀': '1', '\uff21': '2' })).toBe('{\uff21="2", 😀="1"}');
  });

  it('groups by all labels (`...`) in Go order with UTF-8 names', () => {
    const root = buildRouteTree({ receiver: 'r', group_by: ['...'] });
    const [route] = root.match(alert);
    expect(groupKey(route, groupLabels(route, alert))).toBe(
      '{}:{alertname="Down", service.name="api", 名前="値"}',
    );
  });

  it('routes on quoted and unquoted UTF-8 matcher names; route keys print them as Matcher.String() does', () => {
    const root = buildRouteTree({
      receiver: 'r',
      routes: [
        { matchers: ['"service.name"="api"'], receiver: 'api', group_by: ['名前'] },
        { matchers: ['{"foo bar"=~"x|y", 名前!="z"}'], receiver: 'odd' },
      ],
    });
    const [api] = root.match(alert);
    expect(api.receiver).toBe('api');
    // pkg/labels/matcher.go String(): a name is quoted only when it has a reserved character.
    expect(api.key).toBe('{}/{service.name="api"}');
    expect(groupKey(api, groupLabels(api, alert))).toBe('{}/{service.name="api"}:{名前="値"}');
    const [odd] = root.match({ 'foo bar': 'x', 名前: 'w' });
    expect(odd.key).toBe('{}/{"foo bar"=~"x|y",名前!="z"}');
  });

  it('classic label names refuse UTF-8 names in group_by and matchers, naming the field', () => {
    expect(
      configError(() =>
        buildRouteTree({ receiver: 'r', group_by: ['service.name'] }, { labelNames: 'classic' }),
      ),
    ).toMatchObject({
      path: 'route.group_by[0]',
      message: expect.stringContaining('invalid label name "service.name": herald.label_names is classic'),
    });
    const e = configError(() =>
      buildRouteTree(
        { receiver: 'r', routes: [{ matchers: ['"service.name"="api"'] }] },
        { labelNames: 'classic' },
      ),
    );
    expect(e.path).toBe('route.routes[0].matchers[0]');
  });

  it('refuses an empty group_by name in both modes', () => {
    expect(configError(() => buildRouteTree({ receiver: 'r', group_by: [''] })).path).toBe(
      'route.group_by[0]',
    );
  });

  it('keeps `match` / `match_re` keys classic, as Alertmanager (LabelNameRE) does', () => {
    const e = configError(() =>
      buildRouteTree({ receiver: 'r', routes: [{ match: { 'service.name': 'api' } }] }),
    );
    expect(e.path).toBe('route.routes[0].match["service.name"]');
  });
});

describe('groupId memo', () => {
  it('answers FNV-1a 64 of the key on first sight, on repeats and after the memo was emptied', () => {
    const keys = Array.from({ length: 60_000 }, (_, i) => `{}:{alertname="A${i}", ☃="${i % 7}"}`);
    for (const pass of [0, 1])
      for (let i = pass; i < keys.length; i += 997) expect(groupId(keys[i])).toBe(fnv1a64(keys[i]));
    for (const k of keys) groupId(k); // fills past the bound: emptied once on the way
    expect(groupId(keys[0])).toBe(fnv1a64(keys[0]));
    expect(groupId(keys[59_999])).toBe(fnv1a64(keys[59_999]));
  });
});
