import calculateSlot from 'cluster-key-slot';
import { dueBucketOf } from '@herald/domain';
import { CLUSTER_SLOTS, globEscape, RedisKeys, spreadTags } from './keys';

describe('RedisKeys', () => {
  const keys = new RedisKeys('herald', 16);
  const gid = '00000000000000a1';

  it('builds the group, index and limit keys of the README schema', () => {
    expect(keys.groupFiring('acme', gid)).toBe(`herald:acme:alert:group:firing:{${gid}}`);
    expect(keys.groupRecovery('acme', gid)).toBe(`herald:acme:alert:group:recovery:{${gid}}`);
    expect(keys.groupMeta('acme', gid)).toBe(`herald:acme:alert:group:meta:{${gid}}`);
    expect(keys.tenantGroups('acme')).toBe('herald:acme:groups');
    expect(keys.tenantUsage('acme')).toBe('herald:acme:usage');
    expect(keys.tenantIngestBucket('acme')).toBe('herald:acme:ingest-bucket');
  });

  it('puts a group in the due bucket of the domain function, and reads due members back', () => {
    expect(keys.dueBucketOf(gid)).toBe(dueBucketOf(gid, 16));
    expect(keys.dueBucket(3)).toBe('herald:due:{b3}');
    expect(keys.dueLease(3)).toBe('herald:due:lease:{b3}');
    expect(keys.dueClaims(3)).toBe('herald:due:claim:{b3}');
    const m = keys.dueMember('acme:prod', gid, 'recovery');
    expect(m).toBe(`acme:prod:${gid}:r`);
    expect(keys.parseDueMember(m)).toEqual({ tenant: 'acme:prod', groupId: gid, state: 'recovery' });
    expect(keys.parseDueMember(keys.dueMember('t', gid, 'firing'))).toEqual({
      tenant: 't',
      groupId: gid,
      state: 'firing',
    });
    expect(keys.parseDueMember('t:not-a-group:f')).toBeNull();
  });

  it('keeps the receiver of a log entry after the group tag', () => {
    expect(keys.nflog('acme', gid, 'firing', 'team {x}')).toBe(`herald:acme:nflog:{${gid}}:f:team {x}`);
  });

  it('names locks as the seed does, tagged on the alert / group', () => {
    expect(keys.alertLock('acme', '4f2a')).toBe('herald:acme:lock:alert:{4f2a}');
    expect(keys.groupLock('acme', 'b1c2')).toBe('herald:acme:lock:group:{b1c2}');
    expect(keys.taskLock('acme', 'gc')).toBe('herald:acme:lock:task:{gc}');
  });

  it('keeps the fencing counter in the lock key’s slot', () => {
    expect(keys.lockFence(keys.groupLock('acme', 'b1c2'))).toBe('herald:acme:lock:group:{b1c2}:fence');
  });

  it('rejects lock key parts that would move the hash tag', () => {
    expect(() => keys.groupLock('ac{me}', 'b1')).toThrow('invalid lock key tenant');
    expect(() => keys.alertLock('acme', '')).toThrow('invalid lock key alert');
    expect(() => new RedisKeys('{x}', 1).groupLock('acme', 'b1')).toThrow('invalid lock key prefix');
  });

  it('builds node, session, login and delivery keys', () => {
    expect(keys.nodeHeartbeat('n1')).toBe('herald:node:{n1}');
    expect(keys.session('acme', 'ab12')).toBe('herald:acme:session:{ab12}');
    expect(keys.tenantSessions('acme')).toBe('herald:acme:sessions');
    expect(keys.parseSessionMember(keys.sessionMember('id1', 'ab12'))).toEqual({
      id: 'id1',
      tokenHash: 'ab12',
    });
    expect(keys.loginAttempts('ip', '10.0.0.1')).toBe('herald:login:ip:{10.0.0.1}');
    expect(keys.bullPrefix()).toBe('{herald}');
    expect(keys.deliveryQueueKey('wait')).toBe('{herald}:delivery:wait');
    expect(keys.rateLimitPrefix()).toBe('{herald}:delivery:rate');
    expect(keys.rateLimit('acme', 'hook')).toBe('{herald}:delivery:rate:acme|hook');
    expect(keys.deadLetterIndex('acme')).toBe('{herald}:delivery:dead:acme');
    expect(keys.deliveryShards()).toBe('{herald}:delivery:shards');
  });

  it('puts one delivery shard at the old prefix and N shards on N equal ranges of the slot space', () => {
    // One shard: the keys of every version before sharding, on both layouts.
    expect(keys.deliveryShardPrefix(0, 1)).toBe('{herald}');
    expect(new RedisKeys('herald', 48, 'cluster').deliveryShardPrefix(0, 1)).toBe('{herald}');
    for (const n of [2, 3, 5, 16, 64]) {
      const prefixes = Array.from({ length: n }, (_, i) => keys.deliveryShardPrefix(i, n));
      expect(new Set(prefixes).size).toBe(n);
      prefixes.forEach((p, i) => {
        expect(p).toMatch(new RegExp(`^\\{herald\\.d${i}\\.\\d+\\}$`));
        const slot = calculateSlot(keys.deliveryQueueKey('wait', 'delivery', p));
        expect(slot).toBeGreaterThanOrEqual(Math.floor((i * 16384) / n));
        expect(slot).toBeLessThan(Math.floor(((i + 1) * 16384) / n));
        // Every key of a shard (its dead-letter index too) shares the shard's slot.
        expect(calculateSlot(keys.deadLetterIndex('acme', 'delivery', p))).toBe(slot);
      });
    }
    expect(keys.deliveryShardPrefix(1, 3)).toBe(
      new RedisKeys('herald', 1, 'cluster').deliveryShardPrefix(1, 3),
    );
    expect(() => keys.deliveryShardPrefix(3, 3)).toThrow('invalid delivery shard 3 of 3');
    expect(() => keys.deliveryShardPrefix(0, 0)).toThrow('invalid delivery shard');
  });

  it('reads every key it builds back to its kind', () => {
    const cases: [string, unknown][] = [
      [keys.groupFiring('acme', gid), { kind: 'group-firing', tenant: 'acme', groupId: gid }],
      [keys.groupRecovery('acme', gid), { kind: 'group-recovery', tenant: 'acme', groupId: gid }],
      [keys.groupMeta('acme', gid), { kind: 'group-meta', tenant: 'acme', groupId: gid }],
      [keys.tenantGroups('acme'), { kind: 'group-index', tenant: 'acme' }],
      [keys.tenantUsage('acme'), { kind: 'tenant-usage', tenant: 'acme' }],
      [keys.tenantIngestBucket('acme'), { kind: 'ingest-bucket', tenant: 'acme' }],
      [
        keys.inhibitSources('acme', '0123456789abcdef', 'fedcba9876543210', 'b'),
        {
          kind: 'inhibit-sources',
          tenant: 'acme',
          ruleId: '0123456789abcdef',
          eq: 'fedcba9876543210',
          side: 'b',
        },
      ],
      [
        keys.inhibitSources('acme', '0123456789abcdef', '-', 's'),
        { kind: 'inhibit-sources', tenant: 'acme', ruleId: '0123456789abcdef', eq: '-', side: 's' },
      ],
      [keys.inhibitBackfill('00ff00ff00ff00ff'), { kind: 'inhibit-backfill' }],
      [keys.dueBucket(2), { kind: 'due', bucket: 2 }],
      [keys.dueLease(2), { kind: 'due-lease', bucket: 2 }],
      [keys.dueClaims(2), { kind: 'due-claim', bucket: 2 }],
      [
        keys.nflog('acme', gid, 'recovery', 'hook:a'),
        { kind: 'nflog', tenant: 'acme', groupId: gid, state: 'recovery', receiver: 'hook:a' },
      ],
      [keys.session('acme', 'ab12'), { kind: 'session', tenant: 'acme', tokenHash: 'ab12' }],
      [keys.tenantSessions('acme'), { kind: 'session-index', tenant: 'acme' }],
      [keys.loginAttempts('user', 'ff'), { kind: 'login-limiter' }],
      [keys.groupLock('acme', gid), { kind: 'lock', tenant: 'acme', lockKind: 'group', id: gid }],
      [
        keys.lockFence(keys.taskLock('acme', 'gc')),
        { kind: 'lock-fence', tenant: 'acme', lockKind: 'task', id: 'gc' },
      ],
      [
        keys.silence('acme', '0b1e3c6a-1d2f-4a5b-9c8d-7e6f5a4b3c2d'),
        { kind: 'silence', tenant: 'acme', id: '0b1e3c6a-1d2f-4a5b-9c8d-7e6f5a4b3c2d' },
      ],
      [keys.silenceIndex('acme'), { kind: 'silence-index', tenant: 'acme' }],
      [keys.silenceVersion('acme'), { kind: 'silence-version', tenant: 'acme' }],
      [keys.nodeHeartbeat('n1'), { kind: 'node', nodeId: 'n1' }],
      [keys.deliveryQueueKey('wait'), { kind: 'queue' }],
      [keys.rateLimit('acme', 'hook'), { kind: 'queue' }],
      [keys.deliveryShards(), { kind: 'queue' }],
      [keys.deliveryQueueKey('wait', 'delivery', keys.deliveryShardPrefix(2, 3)), { kind: 'queue' }],
      [keys.deadLetterIndex('acme', 'delivery', keys.deliveryShardPrefix(0, 4)), { kind: 'queue' }],
      ['{herald.dx}:delivery:wait', null],
      ['herald:acme:something-else', { kind: 'other', tenant: 'acme' }],
      ['unrelated:key', null],
    ];
    for (const [key, parsed] of cases) expect([key, keys.parse(key)]).toEqual([key, parsed]);
    expect(keys.tenantOfIndex(keys.tenantGroups('acme'), 'groups')).toBe('acme');
    expect(keys.tenantOfIndex(keys.tenantSessions('acme'), 'groups')).toBeNull();
  });

  it('tags every silence key of a tenant with the tenant (one slot per tenant)', () => {
    const id = '0b1e3c6a-1d2f-4a5b-9c8d-7e6f5a4b3c2d';
    expect(keys.silence('acme', id)).toBe(`herald:acme:silences:{acme}:s:${id}`);
    expect(keys.silenceKeyPrefix('acme') + id).toBe(keys.silence('acme', id));
    expect(keys.silenceIndex('acme')).toBe('herald:acme:silences:{acme}:index');
    expect(keys.silenceVersion('acme')).toBe('herald:acme:silences:{acme}:version');
    // Redis Cluster hashes the text between the first `{` and the next `}`: the same for all of them.
    const tag = (k: string) => {
      const i = k.indexOf('{');
      return k.slice(i + 1, k.indexOf('}', i + 1));
    };
    for (const [p, t, sid] of [
      ['herald', 'acme', id],
      ['herald', 'acme', 'odd}{id'],
      ['he{r', 'ac}me', 'x'],
    ]) {
      const k = new RedisKeys(p, 1);
      const tags = new Set([k.silence(t, sid), k.silenceIndex(t), k.silenceVersion(t)].map(tag));
      expect(tags.size).toBe(1);
    }
    expect(tag(keys.silenceIndex('acme'))).not.toBe(tag(keys.silenceIndex('acme2')));
  });

  it('escapes glob specials in SCAN patterns', () => {
    expect(globEscape('a*b?[c]\\')).toBe('a\\*b\\?\\[c\\]\\\\');
    const odd = new RedisKeys('h*', 1);
    expect(odd.patterns()).toEqual(['h\\*:*', '{h\\*}:*', '{h\\*.d*}:*']);
    expect(odd.lockPattern('t?')).toBe('h\\*:t\\?:lock:*');
    expect(odd.nodeHeartbeatPattern()).toBe('h\\*:node:{*}');
  });
});

describe('RedisKeys on a Redis Cluster', () => {
  const keys = new RedisKeys('herald', 48, 'cluster');
  const gids = Array.from({ length: 200 }, (_, i) => (i * 7919).toString(16).padStart(16, '0'));

  it('puts every key a group script touches in one slot (the group’s due bucket’s)', () => {
    for (const gid of gids) {
      const shard = keys.shardOf(gid);
      const bucket = keys.dueBucketOf(gid);
      expect(shard).toBe(bucket);
      const touched = [
        ...keys.groupScriptKeys('acme', gid).keys,
        keys.tenantGroups('acme', shard),
        keys.tenantUsage('acme', shard),
        keys.dueLease(bucket),
        keys.dueClaims(bucket),
        keys.nflog('acme', gid, 'firing', 'team {x}'),
        keys.nflog('acme', gid, 'recovery', 'hook'),
        keys.inhibitSources('acme', '00000000000000aa', '-', 's', shard),
        keys.inhibitSources('other', '00000000000000aa', '00000000000000bb', 'b', shard),
      ];
      expect(new Set(touched.map((k) => calculateSlot(k))).size).toBe(1);
    }
  });

  it('spreads the buckets evenly over the slot space, so over masters owning equal ranges', () => {
    for (const n of [1, 3, 16, 48, 1024]) {
      const slots = spreadTags(n).map((t) => calculateSlot(`{${t}}`));
      slots.forEach((slot, i) => {
        expect(slot).toBeGreaterThanOrEqual(Math.floor((i * CLUSTER_SLOTS) / n));
        expect(slot).toBeLessThan(Math.floor(((i + 1) * CLUSTER_SLOTS) / n));
      });
    }
    // Three masters as `redis-cli --cluster create` splits the slots: 16 buckets each.
    const perMaster = [0, 0, 0];
    for (let b = 0; b < 48; b++) perMaster[Math.floor(calculateSlot(keys.dueBucket(b)) / 5462)]++;
    expect(perMaster).toEqual([16, 16, 16]);
  });

  it('names the group keys with the bucket tag first, then the group id', () => {
    const gid = '00000000000000a1';
    const tag = keys.bucketTag(keys.dueBucketOf(gid));
    expect(tag).toMatch(/^b\d+\.\d+$/);
    expect(keys.groupFiring('acme', gid)).toBe(`herald:acme:alert:group:firing:{${tag}}:${gid}`);
    expect(keys.nflog('acme', gid, 'firing', 'hook')).toBe(`herald:acme:nflog:{${tag}}:${gid}:f:hook`);
    expect(keys.dueBucket(3)).toBe(`herald:due:{${keys.bucketTag(3)}}`);
    expect(keys.tenantGroupShards('acme')).toHaveLength(48);
    expect(keys.tenantGroupsPattern()).toBe('herald:*:groups:{*}');
  });

  it('reads every sharded key back to its kind, tenant and group', () => {
    const gid = '00000000000000a1';
    const cases: [string, unknown][] = [
      [keys.groupMeta('acme', gid), { kind: 'group-meta', tenant: 'acme', groupId: gid }],
      [keys.groupFiring('acme', gid), { kind: 'group-firing', tenant: 'acme', groupId: gid }],
      [keys.tenantGroups('acme', 7), { kind: 'group-index', tenant: 'acme' }],
      [keys.tenantUsage('acme', 7), { kind: 'tenant-usage', tenant: 'acme' }],
      [keys.dueBucket(7), { kind: 'due', bucket: 7 }],
      [keys.dueLease(47), { kind: 'due-lease', bucket: 47 }],
      [
        keys.nflog('acme', gid, 'recovery', 'a:b {c}'),
        { kind: 'nflog', tenant: 'acme', groupId: gid, state: 'recovery', receiver: 'a:b {c}' },
      ],
      [
        keys.inhibitSources('acme', '00000000000000aa', '-', 'b', 5),
        { kind: 'inhibit-sources', tenant: 'acme', ruleId: '00000000000000aa', eq: '-', side: 'b' },
      ],
    ];
    for (const [key, parsed] of cases) expect(keys.parse(key)).toEqual(parsed);
    expect(keys.tenantOfIndex(keys.tenantGroups('acme', 3), 'groups')).toBe('acme');
  });
});

describe('RedisKeys: history and live events', () => {
  it.each(['standalone', 'cluster'] as const)(
    '%s: built and read back; the events streams share one slot',
    (layout) => {
      const k = new RedisKeys('herald', 48, layout);
      expect(k.parse(k.history('acme'))).toEqual({ kind: 'history', tenant: 'acme' });
      expect(k.parse(k.historyLast('acme', '0123456789abcdef'))).toEqual({
        kind: 'history-last',
        tenant: 'acme',
        groupId: '0123456789abcdef',
      });
      expect(k.parse(k.events('acme'))).toEqual({ kind: 'events', tenant: 'acme' });
      expect(calculateSlot(k.events('acme'))).toBe(calculateSlot(k.events('other')));
      expect(calculateSlot(k.historyLast('acme', '0123456789abcdef'))).toBe(calculateSlot(k.history('acme')));
    },
  );
});
