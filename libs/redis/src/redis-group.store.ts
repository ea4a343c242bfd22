import type { RedisClient } from './redis-connection';
import type {
  Alert,
  Clock,
  AlertSource,
  GroupStateCounts,
  ListGroupsOptions,
  GroupStore,
  ResolvedCleanup,
  StoredGroup,
  UpsertBatch,
  UpsertResult,
  LabelSet,
  InhibitionRules,
  SourceQuery,
} from '@herald/domain';
import {
  batchCost,
  COUNT_LIMIT_RETRY_MS,
  countGroupHalves,
  systemClock,
  TenantLimitError,
} from '@herald/domain';
import { decodeAlert, decodeSources, encodeAlert, fingerprintField, sourceRef } from './alert-codec';
import { RedisKeys } from './keys';
import { redisScripts } from './lua-scripts';
import { execPipeline, pipelinePerItem } from './pipeline';

/** The command `redisScripts` defines for upsert-groups-n.lua (queued by name on cluster pipelines). */
const UPSERT_COMMAND = 'herald:upsert-groups-n';

/**
 * {written, created, limit hit (0 none, 1 rate, 2 max alerts, 3 max groups), refused, retry ms, earliest
 * due time the call set (null: none)}.
 */
type UpsertReply = [number, number, number, number, number, number | string | null, string[]?];

export interface RedisGroupStoreOptions {
  /** How long a group's keys outlive its latest alert end (ms). */
  retention: number;
  /** What `listGroups` takes as now (groups whose keys expired are not listed). Default the system clock. */
  clock?: Clock;
  /** Inhibition rules: the upsert script indexes firing source alerts with the write (`firingSources`). */
  inhibition?: InhibitionRules;
}

/** Groups whose upsert encoding is kept (all are dropped when full: a cache, not an index). */
const ENCODING_CACHE_MAX = 10_000;

type Target = UpsertBatch['groups'][number]['target'];

/** What a group's upsert arguments hold that its target alone decides (`upsertCall`). */
interface GroupEncoding {
  /** A copy of the target it was built from. */
  target: Target;
  /** The target itself when frozen (grouping's cached targets): the same object again is the same target. */
  frozen?: Target;
  firingKey: string;
  recoveryKey: string;
  metaKey: string;
  bucket: number;
  bucketKey: string;
  /** `<L>:<firing member><recovery member>` (L their length in bytes). */
  members: string;
  /** The meta JSON the script stores when it creates the group. */
  meta: string;
}

/** Same fields, group labels included (in order: the meta JSON lists them in it). */
function sameTarget(a: Target, b: Target): boolean {
  if (
    a.groupId !== b.groupId ||
    a.groupKey !== b.groupKey ||
    a.receiver !== b.receiver ||
    a.routeId !== b.routeId ||
    a.groupWait !== b.groupWait ||
    a.groupInterval !== b.groupInterval ||
    a.repeatInterval !== b.repeatInterval
  )
    return false;
  const x = Object.keys(a.groupLabels);
  const y = Object.keys(b.groupLabels);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++)
    if (x[i] !== y[i] || a.groupLabels[x[i]] !== b.groupLabels[y[i]]) return false;
  return true;
}

/** Groups read per pipeline round trip. */
const READ_CHUNK = 200;
/** Groups counted per pipeline round trip (three small replies each). */
const COUNT_CHUNK = 1_000;

/**
 * The Redis adapter of the group store. An ingest request is one EVALSHA of `upsert-groups-n.lua`
 * (standalone/Sentinel: one round trip whatever the number of groups), so concurrent nodes merge
 * the same alert atomically.
 */
export class RedisGroupStore implements GroupStore {
  private readonly scripts;
  private readonly clock: Clock;
  /** Per tenant and group id: see `groupEncoding`. */
  private readonly encodings = new Map<string, GroupEncoding>();
  /**
   * The same encodings by frozen target, per tenant: grouping shares one frozen target per group, so a
   * re-send finds its group's encoding without building and hashing a key string (the string-keyed
   * lookup was ~3 % of the node's CPU in `npm run bench`). Emptied with `encodings`, so it holds no more.
   */
  private readonly byTarget = new Map<string, WeakMap<object, GroupEncoding>>();
  /**
   * The receivers of the encodings, per tenant and group id (`receiverHint`: the flush asks per group,
   * and building the key string of `encodings` for it was 0.4 % of the node's CPU in bench:notify).
   * Emptied with `encodings`.
   */
  private readonly receivers = new Map<string, Map<string, string>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: RedisGroupStoreOptions,
  ) {
    this.scripts = redisScripts<{
      upsert: UpsertReply;
      delete: number;
      remove: number;
      index: number;
      rate: number;
    }>(redis, {
      upsert: 'upsert-groups-n',
      delete: 'delete-group-6',
      remove: 'remove-alerts-6',
      index: 'index-sources-n',
      rate: 'ingest-rate-1',
    });
    this.clock = opts.clock ?? systemClock;
  }

  async removeAlerts(
    tenant: string,
    groupId: string,
    cleanup: ResolvedCleanup,
    now: number,
  ): Promise<number> {
    const { keys, dueMembers } = this.keys.groupScriptKeys(tenant, groupId);
    const argv = [groupId, ...dueMembers, now, cleanup.deleteGroup ? 1 : 0, ...cleanup.remove];
    return Number(await this.scripts.remove(keys, argv));
  }

  async deleteGroup(tenant: string, groupId: string): Promise<boolean> {
    if (!/^[0-9a-f]{16}$/.test(groupId)) return false;
    const { keys, dueMembers } = this.keys.groupScriptKeys(tenant, groupId);
    const argv = [groupId, ...dueMembers];
    return Number(await this.scripts.delete(keys, argv)) === 1;
  }

  async upsert(batch: UpsertBatch): Promise<UpsertResult> {
    if (batch.groups.length === 0) return { written: 0, createdGroups: 0 };
    if (this.keys.clustered) return this.upsertSharded(batch);
    const call = this.upsertCall(batch, batch.groups, 0, limitSpec(batch));
    const [written, createdGroups, hit, refused, retryMs, due, changed] = await this.scripts.upsert(
      call.keys,
      call.argv,
    );
    if (Number(hit) > 0)
      throw limitError(batch, Number(hit), Number(written), Number(refused), Number(retryMs));
    const r = withDue({ written: Number(written), createdGroups: Number(createdGroups) }, due);
    if (batch.reportChanges) r.changedGroups = Array.isArray(changed) ? changed.map(String) : [];
    return r;
  }

  /**
   * Redis Cluster: the request's groups split by shard (due bucket), one script call per shard, sent as
   * one pipeline per master (`execPipeline`): round trips = masters touched, not groups. The rate
   * is taken first (its bucket has its own slot); with count limits each call is told what the
   * tenant's other shards hold, read in the same way first — so concurrent requests may overshoot a
   * count limit by what they carry, where one Redis checks it atomically. A shard whose call fails
   * fails the request (the fallback stores it all: writes merge idempotently).
   */
  private async upsertSharded(batch: UpsertBatch): Promise<UpsertResult> {
    const byShard = new Map<number, UpsertBatch['groups'][number][]>();
    for (const g of batch.groups) {
      const s = this.keys.shardOf(g.target.groupId);
      const list = byShard.get(s);
      if (list) list.push(g);
      else byShard.set(s, [g]);
    }
    const l = batch.limits;
    const rate = l?.ingestRate ?? 0;
    if (rate > 0) {
      const burst = l?.ingestBurst ?? Math.max(1, rate);
      const cost = batchCost(batch);
      const wait = Number(
        await this.scripts.rate([this.keys.tenantIngestBucket(batch.tenant)], [batch.now, rate, burst, cost]),
      );
      if (wait > 0) throw limitError(batch, 1, 0, cost, wait);
    }
    const counting = !!(l?.maxAlerts || l?.maxGroups);
    const usage = counting ? await this.shardUsage(batch.tenant, batch.now) : null;
    const base = limitSpec({ ...batch, limits: l && { ...l, ingestRate: undefined } });
    const calls = [...byShard].map(([shard, groups]) => {
      let spec = base;
      if (usage) {
        let [alerts, held] = [0, 0];
        usage.forEach((u, i) => {
          if (i !== shard) [alerts, held] = [alerts + u.alerts, held + u.groups];
        });
        spec = `${base}:${alerts}:${held}`;
      }
      return this.upsertCall(batch, groups, shard, spec);
    });
    const replies = await execPipeline(this.redis, (p) => {
      const run = (p as unknown as Record<string, (...a: (string | number)[]) => unknown>)[UPSERT_COMMAND];
      for (const c of calls) run.call(p, c.keys.length, ...c.keys, ...c.argv);
    });
    let written = 0;
    let createdGroups = 0;
    let refused = 0;
    let hit = 0;
    let due: number | undefined;
    const changedGroups: string[] = [];
    const shardGroups = [...byShard.values()];
    for (const [i, [err, reply]] of replies.entries()) {
      if (err) throw requestNumbering(err, shardGroups[i], batch.groups);
      const r = reply as UpsertReply;
      const [w, c, h, f] = r.slice(0, 4).map(Number);
      written += w;
      createdGroups += c;
      refused += f;
      if (h > 0 && hit === 0) hit = h;
      const d = dueOf(r[5]);
      if (d !== undefined && (due === undefined || d < due)) due = d;
      if (Array.isArray(r[6])) for (const id of r[6]) changedGroups.push(String(id));
    }
    if (hit > 0) throw limitError(batch, hit, written, refused, 0);
    const res = withDue({ written, createdGroups }, due);
    if (batch.reportChanges) res.changedGroups = changedGroups;
    return res;
  }

  /**
   * Per shard of a tenant (cluster): the alerts and groups it holds — its live groups (index entries not
   * expired) and their counts in its usage hash. Not the hash's `n`: a shard no request touched since
   * its groups expired still counts them there (each script prunes its own shard only).
   */
  private async shardUsage(tenant: string, now: number): Promise<{ alerts: number; groups: number }[]> {
    const k = this.keys;
    const shards = Array.from({ length: k.shards }, (_, s) => s);
    const replies = await pipelinePerItem(this.redis, shards, (p, s) =>
      p.zrangebyscore(k.tenantGroups(tenant, s), `(${now}`, '+inf').hgetall(k.tenantUsage(tenant, s)),
    );
    return replies.map(([ids, usage]) => {
      const counts = usage as Record<string, string>;
      let alerts = 0;
      for (const id of ids as string[]) alerts += Number(counts[id] ?? 0) || 0;
      return { alerts, groups: (ids as string[]).length };
    });
  }

  /** The keys and arguments of one upsert-groups-n call for `groups` (the whole request standalone, one shard's on a cluster). */
  private upsertCall(
    batch: UpsertBatch,
    groups: UpsertBatch['groups'],
    shard: number,
    limits: string,
  ): { keys: string[]; argv: (string | number)[] } {
    const { tenant, now } = batch;
    const k = this.keys;
    const keys: string[] = [k.tenantGroups(tenant, shard)];
    const bucketIndex = new Map<number, number>();
    const buckets: string[] = [];
    const enc = groups.map((g) => this.groupEncoding(tenant, g.target));
    for (const e of enc) keys.push(e.firingKey, e.recoveryKey, e.metaKey);
    const argv: (string | number)[] = [now, this.opts.retention, tenant, groups.length, limits];
    // Shared strings (a webhook's source): referenced by id from each alert, stored once per group.
    const refs = new Map<AlertSource, { id: string; json: string }>();
    const shared: (string | number)[] = [];
    for (let gi = 0; gi < groups.length; gi++) {
      const { target: t, alerts } = groups[gi];
      const e = enc[gi];
      let idx = bucketIndex.get(e.bucket);
      if (idx === undefined) {
        buckets.push(e.bucketKey);
        idx = 1 + groups.length * 3 + buckets.length; // 1-based KEYS index
        bucketIndex.set(e.bucket, idx);
      }
      // One argument per group (see the script's header).
      let fps = '';
      for (const a of alerts) fps += fingerprintField(a.fingerprint);
      argv.push(`${t.groupId}:${idx}:${t.groupWait}:${alerts.length}:${e.members}${fps}${e.meta}`);
      let used: Set<string> | undefined; // only with forwarded alerts (webhook ingest)
      for (const a of alerts) {
        let ref: { id: string; json: string } | undefined;
        if (a.source) {
          ref = refs.get(a.source);
          if (!ref) refs.set(a.source, (ref = sourceRef(a.source)));
          used ??= new Set<string>();
          if (!used.has(ref.id)) {
            used.add(ref.id);
            shared.push(gi + 1, ref.id, ref.json);
          }
        }
        argv.push(encodeAlert(a, ref?.id));
      }
    }
    argv.push(shared.length / 3, ...shared);
    keys.push(...buckets);
    this.pushSourceEntries(tenant, groups, shard, keys, argv);
    keys.push(k.tenantUsage(tenant, shard));
    if (Number(limits.split(':')[2] ?? 0) > 0) keys.push(k.tenantIngestBucket(tenant)); // with a rate only
    return { keys, argv };
  }

  /**
   * The parts of a group's upsert arguments that depend on its target only, kept while the target is the
   * same: every request builds its targets anew, and a re-send names the same groups again.
   */
  private groupEncoding(tenant: string, t: UpsertBatch['groups'][number]['target']): GroupEncoding {
    const known = this.byTarget.get(tenant)?.get(t);
    if (known) return known;
    const id = `${tenant}\u0000${t.groupId}`;
    const hit = this.encodings.get(id);
    if (hit && (hit.frozen === t || sameTarget(hit.target, t))) {
      if (hit.frozen !== t && Object.isFrozen(t) && Object.isFrozen(t.groupLabels)) hit.frozen = t;
      if (hit.frozen === t) this.rememberTarget(tenant, t, hit);
      return hit;
    }
    const k = this.keys;
    const firing = k.dueMember(tenant, t.groupId, 'firing');
    const recovery = k.dueMember(tenant, t.groupId, 'recovery');
    const len = Buffer.byteLength(firing);
    if (Buffer.byteLength(recovery) !== len) throw new Error(`due members of unequal length: ${firing}`);
    const bucket = k.dueBucketOf(t.groupId);
    const e: GroupEncoding = {
      target: { ...t, groupLabels: { ...t.groupLabels } },
      ...(Object.isFrozen(t) && Object.isFrozen(t.groupLabels) ? { frozen: t } : {}),
      firingKey: k.groupFiring(tenant, t.groupId),
      recoveryKey: k.groupRecovery(tenant, t.groupId),
      metaKey: k.groupMeta(tenant, t.groupId),
      bucket,
      bucketKey: k.dueBucket(bucket),
      members: `${len}:${firing}${recovery}`,
      meta: JSON.stringify([
        t.groupKey,
        t.receiver,
        t.routeId,
        JSON.stringify(t.groupLabels),
        t.groupWait,
        t.groupInterval,
        t.repeatInterval,
      ]),
    };
    if (this.encodings.size >= ENCODING_CACHE_MAX) {
      this.encodings.clear();
      this.byTarget.clear();
      this.receivers.clear();
    }
    this.encodings.set(id, e);
    let receivers = this.receivers.get(tenant);
    if (!receivers) this.receivers.set(tenant, (receivers = new Map()));
    receivers.set(t.groupId, t.receiver);
    if (e.frozen) this.rememberTarget(tenant, t, e);
    return e;
  }

  private rememberTarget(tenant: string, t: object, e: GroupEncoding): void {
    let own = this.byTarget.get(tenant);
    if (!own) this.byTarget.set(tenant, (own = new WeakMap()));
    own.set(t, e);
  }

  /**
   * Appends the inhibition index entries of one call (after the due buckets in KEYS): for the first
   * copy of each alert (an alert routed to two groups is one source; on a cluster, one per shard), one
   * entry per rule whose source side it matches, in the call's shard. Nothing at all without rules.
   */
  private pushSourceEntries(
    tenant: string,
    groups: UpsertBatch['groups'],
    shard: number,
    keys: string[],
    argv: (string | number)[],
  ): void {
    const rules = this.opts.inhibition;
    if (!rules || rules.empty) return;
    const keyOf = keyIndexer(keys);
    const entries: (string | number)[] = [];
    const seen = new Set<string>();
    let ord = 0;
    for (const g of groups) {
      for (const a of g.alerts) {
        ord++;
        if (seen.has(a.fingerprint)) continue;
        seen.add(a.fingerprint);
        for (const e of rules.sourceEntriesOf(a.fingerprint, a.labels))
          entries.push(ord, keyOf(this.keys.inhibitSources(tenant, e.ruleId, e.eq, e.side, shard)));
      }
    }
    if (entries.length) argv.push(entries.length / 2, ...entries);
  }

  /**
   * Lists a stored group's firing alerts in the inhibition index (backfill after the rules changed);
   * the script re-reads each alert's endsAt, so a source resolved meanwhile is not listed. Returns the
   * number of entries listed.
   */
  async indexSources(
    group: Pick<StoredGroup, 'tenant' | 'groupId' | 'firing'>,
    now: number,
  ): Promise<number> {
    const rules = this.opts.inhibition;
    if (!rules || rules.empty) return 0;
    const keys = [this.keys.groupFiring(group.tenant, group.groupId)];
    const keyOf = keyIndexer(keys);
    const argv: (string | number)[] = [now];
    const shard = this.keys.shardOf(group.groupId);
    for (const a of group.firing) {
      for (const e of rules.sourceEntriesOf(a.fingerprint, a.labels)) {
        const key = this.keys.inhibitSources(group.tenant, e.ruleId, e.eq, e.side, shard);
        argv.push(a.fingerprint, keyOf(key));
      }
    }
    if (argv.length === 1) return 0;
    return Number(await this.scripts.index(keys, argv));
  }

  /**
   * One round trip for a flush's lookups: per query the earliest-ending source firing after `now`
   * (score > now) from the `s` list, and from the `b` list unless the target matches both sides.
   */
  async firingSources(
    tenant: string,
    queries: readonly SourceQuery[],
    now: number,
  ): Promise<(string | null)[]> {
    if (queries.length === 0) return [];
    const k = this.keys;
    // Per query and side, the earliest-ending entry of every shard (one standalone): one pipeline (one
    // per master on a cluster).
    const replies = (
      await execPipeline(this.redis, (p) => {
        for (const q of queries) {
          for (const side of q.sourceOnly ? (['s'] as const) : (['s', 'b'] as const)) {
            for (let shard = 0; shard < k.shards; shard++) {
              const key = k.inhibitSources(tenant, q.ruleId, q.eq, side, shard);
              p.zrangebyscore(key, `(${now}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
            }
          }
        }
      })
    ).map(([err, v]) => {
      if (err) throw err;
      return v as string[];
    });
    let r = 0;
    // The order the memory index uses: earliest endsAt, then lowest fingerprint.
    const earlier = (a: [string, number] | null, b: [string, number] | null) =>
      !a ? b : !b ? a : b[1] < a[1] || (b[1] === a[1] && b[0] < a[0]) ? b : a;
    const next = (): [string, number] | null => {
      let best: [string, number] | null = null;
      for (let shard = 0; shard < k.shards; shard++) {
        const arr = replies[r++];
        if (!arr) throw new Error('missing pipeline reply');
        if (arr.length) best = earlier(best, [arr[0], Number(arr[1])]);
      }
      return best;
    };
    return queries.map((q) => {
      const s = next();
      const b = q.sourceOnly ? null : next();
      return earlier(s, b)?.[0] ?? null;
    });
  }

  async listGroups(tenant: string, opts: ListGroupsOptions = {}): Promise<StoredGroup[]> {
    const now = this.clock.now();
    const shards = await pipelinePerItem(this.redis, this.keys.tenantGroupShards(tenant), (p, key) =>
      p.zrangebyscore(key, now, '+inf'),
    );
    let ids = shards.flatMap(([ids]) => ids as string[]);
    if (opts.mayHold) ids = await this.groupsThatMayHold(tenant, ids, opts.mayHold);
    return this.readGroups(tenant, ids);
  }

  /**
   * The groups among `ids` whose group labels and receiver `mayHold` accepts, from their meta hashes'
   * `labels` and `receiver` alone (one small HMGET per group, COUNT_CHUNK per round trip): a filtered
   * listing then reads the alerts
   * of the groups that can match only. A group whose meta is gone is left to `readGroups` (which skips
   * it); unreadable labels keep the group (the caller filters its alerts).
   */
  private async groupsThatMayHold(
    tenant: string,
    ids: string[],
    mayHold: NonNullable<ListGroupsOptions['mayHold']>,
  ): Promise<string[]> {
    const kept: string[] = [];
    for (let i = 0; i < ids.length; i += COUNT_CHUNK) {
      const chunk = ids.slice(i, i + COUNT_CHUNK);
      const replies = await pipelinePerItem(this.redis, chunk, (p, id) =>
        p.hmget(this.keys.groupMeta(tenant, id), 'labels', 'receiver'),
      );
      chunk.forEach((id, j) => {
        const [json, receiver] = replies[j][0] as (string | null)[];
        if (typeof json !== 'string' || typeof receiver !== 'string') return;
        let labels: LabelSet;
        try {
          labels = JSON.parse(json) as LabelSet;
        } catch {
          kept.push(id);
          return;
        }
        if (mayHold(labels, receiver)) kept.push(id);
      });
    }
    return kept;
  }

  /**
   * The groups `listGroups` would read (index entries not expired, meta present), counted per chunk of
   * COUNT_CHUNK groups with HLEN of both halves and EXISTS of the meta: no alert is read or decoded. An
   * HLEN counts a stored value `listGroups` would skip as unreadable (none the scripts write).
   */
  async countStates(tenant: string): Promise<GroupStateCounts> {
    const now = this.clock.now();
    const k = this.keys;
    const shards = await pipelinePerItem(this.redis, k.tenantGroupShards(tenant), (p, key) =>
      p.zrangebyscore(key, now, '+inf'),
    );
    const ids = shards.flatMap(([ids]) => ids as string[]);
    const out: GroupStateCounts = { alerts: { firing: 0, resolved: 0 }, groups: { firing: 0, recovery: 0 } };
    for (let i = 0; i < ids.length; i += COUNT_CHUNK) {
      const chunk = ids.slice(i, i + COUNT_CHUNK);
      const replies = await pipelinePerItem(this.redis, chunk, (p, id) =>
        p.exists(k.groupMeta(tenant, id)).hlen(k.groupFiring(tenant, id)).hlen(k.groupRecovery(tenant, id)),
      );
      for (const [meta, firing, recovery] of replies)
        if (Number(meta) > 0) countGroupHalves(out, Number(firing), Number(recovery));
    }
    return out;
  }

  /** From the upsert encodings (bounded, built by ingest): no cost on the ingest path. */
  receiverHint(tenant: string, groupId: string): string | undefined {
    return this.receivers.get(tenant)?.get(groupId);
  }

  async getGroup(tenant: string, groupId: string): Promise<StoredGroup | null> {
    if (!/^[0-9a-f]{16}$/.test(groupId)) return null;
    const [g] = await this.readGroups(tenant, [groupId]);
    return g ?? null;
  }

  /**
   * Reads groups in pipelines of READ_CHUNK groups: one pipeline for a whole tenant would hold Redis
   * (and the request) for as long as the tenant is big, and its last replies could outlast the command
   * timeout under load.
   */
  private async readGroups(tenant: string, ids: string[]): Promise<StoredGroup[]> {
    const out: StoredGroup[] = [];
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      out.push(...(await this.readChunk(tenant, ids.slice(i, i + READ_CHUNK))));
    }
    return out;
  }

  private async readChunk(tenant: string, ids: string[]): Promise<StoredGroup[]> {
    const k = this.keys;
    const replies = await pipelinePerItem(this.redis, ids, (p, id) =>
      p
        .hgetall(k.groupMeta(tenant, id))
        .hgetall(k.groupFiring(tenant, id))
        .hgetall(k.groupRecovery(tenant, id)),
    );
    const out: StoredGroup[] = [];
    for (let i = 0; i < ids.length; i++) {
      const [meta, firing, recovery] = replies[i];
      const m = meta as Record<string, string>;
      if (!m.key) continue; // expired between the index read and this one
      const sources = decodeSources(m);
      out.push({
        tenant,
        groupId: ids[i],
        groupKey: m.key,
        receiver: m.receiver,
        routeId: m.route,
        labels: JSON.parse(m.labels) as LabelSet,
        groupWait: Number(m.gw),
        groupInterval: Number(m.gi),
        repeatInterval: Number(m.ri),
        createdAt: Number(m.created),
        firing: decodeAll(firing as Record<string, string>, sources),
        recovery: decodeAll(recovery as Record<string, string>, sources),
      });
    }
    return out;
  }
}

/**
 * A script error of one shard's call names a group by its place in that call ("bad alert 1 of group 1");
 * the request's own numbering is what the caller can find.
 */
function requestNumbering<T>(err: Error, callGroups: readonly T[], all: readonly T[]): Error {
  const m = /group (\d+)/.exec(err.message);
  const g = m ? callGroups[Number(m[1]) - 1] : undefined;
  if (!m || g === undefined) return err;
  err.message = err.message.replace(`group ${m[1]}`, `group ${all.indexOf(g) + 1}`);
  return err;
}

/** Appends each distinct key to `keys` once; returns its 1-based KEYS index (what the scripts take). */
function keyIndexer(keys: string[]): (key: string) => number {
  const at = new Map<string, number>();
  return (key) => {
    let i = at.get(key);
    if (i === undefined) {
      keys.push(key);
      at.set(key, (i = keys.length));
    }
    return i;
  };
}

function decodeAll(h: Record<string, string>, sources: Map<string, AlertSource>): Alert[] {
  const out: Alert[] = [];
  for (const fp of Object.keys(h)) {
    const a = decodeAlert(fp, h[fp], sources);
    if (a) out.push(a);
  }
  return out;
}

/** Reply element 6 of upsert-groups-n.lua: the earliest due time the call set, or undefined. */
function dueOf(v: UpsertReply[5] | undefined): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function withDue(r: UpsertResult, due: UpsertReply[5] | number | undefined): UpsertResult {
  const d = typeof due === 'number' ? due : dueOf(due);
  if (d !== undefined) r.nextDueAt = d;
  return r;
}

/** ARGV[5] of upsert-groups-n.lua: '' (no limits) or 'maxAlerts:maxGroups:rate:burst:cost', 0 = absent. */
function limitSpec(batch: UpsertBatch): string {
  const l = batch.limits;
  if (!l || !(l.maxAlerts || l.maxGroups || l.ingestRate)) return '';
  const rate = l.ingestRate ?? 0;
  const burst = rate ? (l.ingestBurst ?? Math.max(1, rate)) : 0;
  return `${l.maxAlerts ?? 0}:${l.maxGroups ?? 0}:${rate}:${burst}:${rate ? batchCost(batch) : 0}`;
}

function limitError(
  batch: UpsertBatch,
  hit: number,
  written: number,
  refused: number,
  retryMs: number,
): TenantLimitError {
  const l = batch.limits ?? {};
  if (hit === 1) {
    return new TenantLimitError(batch.tenant, 'ingestion_rate', l.ingestRate ?? 0, retryMs, 0, refused);
  }
  return hit === 2
    ? new TenantLimitError(
        batch.tenant,
        'alertmanager_max_alerts_count',
        l.maxAlerts ?? 0,
        COUNT_LIMIT_RETRY_MS,
        written,
        refused,
      )
    : new TenantLimitError(
        batch.tenant,
        'alertmanager_max_dispatcher_aggregation_groups',
        l.maxGroups ?? 0,
        COUNT_LIMIT_RETRY_MS,
        written,
        refused,
      );
}
