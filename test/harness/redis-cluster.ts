import { execFile } from 'node:child_process';
import { Cluster, type ClusterOptions, type Redis } from 'ioredis';
import { freePort } from './free-port';
import { rawClient } from './redis-client';
import { RedisServer } from './redis-server';
import { waitUntil } from './wait';

/** Hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

export interface RedisClusterOptions {
  /** Masters (redis-cli needs at least 3). */
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a silent node takes to be marked failed (and failed over). */
  nodeTimeoutMs?: number;
  /** appendonly yes on every node (default no: a restarted node comes back empty). */
  appendonly?: boolean;
  /** Extra redis-server arguments for every node. */
  args?: string[];
}

export type ClusterRole = 'master' | 'replica';

/** One node of the cluster; `role`, `id` and `masterId` are as of the harness' last topology read. */
export class ClusterNode {
  readonly host = '127.0.0.1';
  /** The cluster's node id (40 hex). */
  id = '';
  role: ClusterRole = 'master';
  /** For a replica: the id of its master. */
  masterId?: string;
  /** Hash slots it serves. */
  slots = 0;
  /** False after kill(SIGKILL/SIGSTOP) until restart()/kill(SIGCONT). */
  alive = true;

  constructor(
    readonly server: RedisServer,
    readonly busPort: number,
  ) {}

  get port(): number {
    return this.server.port;
  }

  get pid(): number | undefined {
    return this.server.pid;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }
}

/** One line of CLUSTER NODES. */
interface NodeEntry {
  id: string;
  port: number;
  flags: Set<string>;
  masterId?: string;
  slots: number;
  /** A slot is mid-migration ([slot->-id] or [slot-<-id]). */
  migrating: boolean;
  /** Its config epoch, as this node knows it. */
  configEpoch: number;
  /** Its slot ranges as listed ('0-5460 6000'), i.e. exactly which slots. */
  slotRanges: string;
}

function parseClusterNodes(text: string): NodeEntry[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, addr, flags, master, , , epoch, , ...slotSpecs] = line.trim().split(' ');
      let slots = 0;
      let migrating = false;
      const ranges: string[] = [];
      for (const spec of slotSpecs) {
        if (spec.startsWith('[')) migrating = true;
        else {
          const [a, b] = spec.split('-').map(Number);
          slots += (b ?? a) - a + 1;
          ranges.push(spec);
        }
      }
      return {
        id,
        port: Number(addr.split('@')[0].split(':').pop()),
        flags: new Set(flags.split(',')),
        masterId: master === '-' ? undefined : master,
        slots,
        migrating,
        configEpoch: Number(epoch),
        slotRanges: ranges.join(' '),
      };
    });
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/** The slots of a CLUSTER NODES slot list ('0-5460 6000'). */
function slotSet(ranges: string): Set<number> {
  const set = new Set<number>();
  for (const spec of ranges.split(' ').filter(Boolean)) {
    const [a, b] = spec.split('-').map(Number);
    for (let slot = a; slot <= (b ?? a); slot++) set.add(slot);
  }
  return set;
}

/** Sorted [first, last] runs of a slot set. */
function toRanges(slots: Set<number>): [number, number][] {
  const out: [number, number][] = [];
  for (const slot of [...slots].sort((x, y) => x - y)) {
    const last = out[out.length - 1];
    if (last && last[1] === slot - 1) last[1] = slot;
    else out.push([slot, slot]);
  }
  return out;
}

function run(bin: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stdout.slice(-2000)}\n${stderr}`),
        );
      } else resolve(stdout);
    });
  });
}

const redisCli = (): string => process.env.REDIS_CLI_BIN ?? 'redis-cli';

/**
 * A real Redis Cluster on loopback: `masters × (1 + replicasPerMaster)` redis-server processes with
 * `cluster-enabled yes` (each with its own temp dir holding nodes.conf, so a restarted node keeps its
 * identity), joined by `redis-cli --cluster create`. Always local processes (see
 * RedisServerOptions.localProcess). Every operation ends with the cluster settled: cluster_state:ok on
 * every live node and all 16384 slots served.
 */
export class RedisCluster {
  readonly nodes: ClusterNode[] = [];
  private readonly clients = new Set<Cluster>();
  /** boot(): a redis-server did not start (typically its port was taken meanwhile). */
  private nodeFailedToStart = false;

  private constructor(
    private readonly opts: Required<Omit<RedisClusterOptions, 'args'>> & { args: string[] },
  ) {}

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const opts = {
      masters: options.masters ?? 3,
      replicasPerMaster: options.replicasPerMaster ?? 1,
      nodeTimeoutMs: options.nodeTimeoutMs ?? 1000,
      appendonly: options.appendonly ?? false,
      args: options.args ?? [],
    };
    if (opts.masters < 3) throw new Error(`RedisCluster: masters must be at least 3 (got ${opts.masters})`);
    if (opts.replicasPerMaster < 0) {
      throw new Error(`RedisCluster: replicasPerMaster must be >= 0 (got ${opts.replicasPerMaster})`);
    }
    for (let attempt = 1; ; attempt++) {
      const cluster = new RedisCluster(opts);
      try {
        await cluster.boot();
        return cluster;
      } catch (e) {
        await cluster.stop();
        // The 2 × nodes ports are picked free but bound only later, by redis-server: with other tests
        // starting servers in parallel one of them is sometimes taken in between ("Address already in
        // use"), so a node that fails to start gets the whole boot retried on fresh ports.
        if (!cluster.nodeFailedToStart || attempt >= 3) throw e;
      }
    }
  }

  private async boot(): Promise<void> {
    const count = this.opts.masters * (1 + this.opts.replicasPerMaster);
    // Data and bus ports picked together (distinct): the default bus port (port + 10000) may be taken or
    // out of range for a high ephemeral port, so each node gets an explicit cluster-port.
    const ports = new Set<number>();
    while (ports.size < 2 * count) ports.add(await freePort());
    const [dataPorts, busPorts] = [[...ports].slice(0, count), [...ports].slice(count)];
    const started = await Promise.allSettled(
      dataPorts.map((port, i) =>
        RedisServer.start({
          port,
          localProcess: true,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf', // relative to the server's own temp --dir
            '--cluster-node-timeout',
            String(this.opts.nodeTimeoutMs),
            '--cluster-port',
            String(busPorts[i]),
            '--appendonly',
            this.opts.appendonly ? 'yes' : 'no',
            // A replica's first sync otherwise waits 5 s for more replicas to batch with.
            '--repl-diskless-sync-delay',
            '0',
            // Debugging aid: HERALD_REDIS_CLUSTER_LOG_DIR=<existing dir> keeps each node's log there as
            // node-<port>.log (the temp dirs go with stop()); a node's start-up error is then in its log.
            ...(process.env.HERALD_REDIS_CLUSTER_LOG_DIR
              ? ['--logfile', `${process.env.HERALD_REDIS_CLUSTER_LOG_DIR}/node-${port}.log`]
              : []),
            ...this.opts.args,
          ],
        }),
      ),
    );
    // Every server that did start is a node, so stop() ends it even when a sibling failed to start.
    started.forEach((r, i) => {
      if (r.status === 'fulfilled') this.nodes.push(new ClusterNode(r.value, busPorts[i]));
    });
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      this.nodeFailedToStart = true;
      throw failed.reason;
    }
    await run(
      redisCli(),
      [
        '--cluster',
        'create',
        ...this.nodes.map((n) => n.address),
        '--cluster-replicas',
        String(this.opts.replicasPerMaster),
        '--cluster-yes',
      ],
      30_000,
    );
    await this.waitHealthy({ what: 'the new cluster', expectKnown: count });
    // Replicas fully synced, so a master killed right away has a replica able to take over.
    await this.waitForReplication();
  }

  /** A plain client on one node (RESP2, no offline queue), for admin commands; disconnect it after use. */
  nodeClient(node: ClusterNode): Promise<Redis> {
    return rawClient(`redis://${node.address}`, { connectTimeout: 2000, commandTimeout: 5000 });
  }

  /** Runs one command on one node over a short-lived connection. */
  async command(node: ClusterNode, ...args: (string | number)[]): Promise<unknown> {
    const c = await this.nodeClient(node);
    try {
      return await c.call(String(args[0]), ...args.slice(1));
    } finally {
      c.disconnect();
    }
  }

  /** ['127.0.0.1:port', …] of every node, the seed list for a cluster client or Herald's config. */
  seedNodes(): string[] {
    return this.nodes.map((n) => n.address);
  }

  /** The masters serving slots (a failed-over old master, left with none, is not one of them). */
  masters(): ClusterNode[] {
    return this.nodes.filter((n) => n.role === 'master' && n.slots > 0);
  }

  replicasOf(master: ClusterNode): ClusterNode[] {
    return this.nodes.filter((n) => n.role === 'replica' && n.masterId === master.id);
  }

  /**
   * An ioredis Cluster client on the seed nodes, connected (closed by stop()). Retries on MOVED/ASK/
   * TRYAGAIN/CLUSTERDOWN and failover are short, as fits a cluster with a 1 s node timeout; commands
   * time out after 5 s and slots are re-read every second. `opts` overrides any of that.
   */
  async client(opts: ClusterOptions = {}): Promise<Cluster> {
    const c = new Cluster(
      this.nodes.map((n) => ({ host: n.host, port: n.port })),
      {
        lazyConnect: true,
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        retryDelayOnMoved: 0,
        slotsRefreshTimeout: 1000,
        // A hung (SIGSTOPped) master never closes its socket: without a command timeout a command sent
        // to it waits forever, and without a periodic refresh the client never learns of its successor.
        slotsRefreshInterval: 1000,
        ...opts,
        redisOptions: {
          connectTimeout: 1000,
          // Not 1 s: on a loaded machine (CI, whole suite in parallel) the test process itself is starved
          // of CPU and fires its timers late, so 1 s timed out writes to a healthy cluster.
          commandTimeout: 5000,
          disconnectTimeout: 50,
          ...opts.redisOptions,
        },
      },
    );
    c.on('error', () => undefined);
    this.clients.add(c);
    await c.connect();
    return c;
  }

  /** SIGKILL (process exits; nodes.conf stays for restart()), SIGSTOP (hangs) or SIGCONT (resumes). */
  async kill(node: ClusterNode, signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT' = 'SIGKILL'): Promise<void> {
    if (signal === 'SIGKILL') await node.server.kill();
    else if (signal === 'SIGSTOP') await node.server.pause();
    else await node.server.resume();
    node.alive = signal === 'SIGCONT';
  }

  /**
   * Starts a killed (or running) node again on its port with its nodes.conf: it rejoins under its old
   * id (a failed-over master comes back as a replica of its successor). Without appendonly its data is
   * gone. Resolves once every node sees it connected and the cluster is ok.
   */
  async restart(node: ClusterNode): Promise<void> {
    await node.server.restart();
    node.alive = true;
    await this.waitHealthy({ what: `node ${node.address} rejoining`, noFailedNodes: true });
  }

  /**
   * Waits until a replica of `oldMaster` (as of the last topology read, i.e. before the kill) is a master
   * with slots on every live node, and the cluster is ok. Returns the promoted node.
   */
  async waitForFailover(oldMaster: ClusterNode, timeoutMs = 15_000): Promise<ClusterNode> {
    const candidates = this.replicasOf(oldMaster);
    if (!candidates.length) throw new Error(`waitForFailover: ${oldMaster.address} has no replica`);
    const ids = new Set(candidates.map((c) => c.id));
    const promotedId = await waitUntil(
      async () => {
        let seen: string | undefined;
        for (const n of this.live()) {
          const entries = parseClusterNodes(String(await this.command(n, 'CLUSTER', 'NODES')));
          const promoted = entries.find((e) => ids.has(e.id) && e.flags.has('master') && e.slots > 0);
          if (!promoted || (seen && seen !== promoted.id)) return undefined;
          seen = promoted.id;
        }
        return seen;
      },
      {
        timeoutMs,
        intervalMs: 100,
        what: `a replica of ${oldMaster.address} promoted, as seen by every live node`,
      },
    );
    await this.waitHealthy({ what: `the cluster after failover of ${oldMaster.address}`, timeoutMs });
    const promoted = this.nodes.find((n) => n.id === promotedId);
    if (!promoted) throw new Error(`waitForFailover: promoted node ${promotedId} is not one of ours`);
    return promoted;
  }

  /**
   * Moves `slots` hash slots (with their keys) from one master to another with
   * `redis-cli --cluster reshard`, then waits until every live node sees the move finished (no slot
   * migrating or importing, exactly `to`'s own slot list and config epoch for `to`), makes every live
   * replica re-learn the moved slots (see forgetStaleSlotClaims) and waits until the cluster is ok.
   */
  async reshard(r: { from: ClusterNode; to: ClusterNode; slots: number; timeoutMs?: number }): Promise<void> {
    const timeoutMs = r.timeoutMs ?? 60_000;
    if (!Number.isInteger(r.slots) || r.slots < 1) {
      throw new Error(`reshard: slots must be a positive integer (got ${r.slots})`);
    }
    await this.refresh();
    if (r.from.role !== 'master' || r.to.role !== 'master') {
      throw new Error(`reshard: from (${r.from.address}) and to (${r.to.address}) must both be masters`);
    }
    const before = await this.selfEntry(r.to);
    await run(
      redisCli(),
      [
        '--cluster',
        'reshard',
        r.to.address,
        '--cluster-from',
        r.from.id,
        '--cluster-to',
        r.to.id,
        '--cluster-slots',
        String(r.slots),
        '--cluster-yes',
      ],
      timeoutMs,
    );
    let problem = '';
    const after = await waitUntil(
      async () => {
        const own = await this.selfEntry(r.to);
        problem = `${r.to.address} itself: ${own.slots} slots, migrating ${own.migrating}`;
        if (own.migrating || own.slots !== before.slots + r.slots) return undefined;
        for (const n of this.live()) {
          const entries = parseClusterNodes(String(await this.command(n, 'CLUSTER', 'NODES')));
          const seen = entries.find((e) => e.id === r.to.id);
          problem = `${n.address} sees ${r.to.address} with epoch ${seen?.configEpoch} and slots ${seen?.slotRanges}; it has epoch ${own.configEpoch} and slots ${own.slotRanges}`;
          if (entries.some((e) => e.migrating)) return undefined;
          if (seen?.slotRanges !== own.slotRanges || seen.configEpoch !== own.configEpoch) return undefined;
        }
        return own;
      },
      {
        timeoutMs,
        intervalMs: 100,
        what: `${r.slots} slots moved ${r.from.address} → ${r.to.address} on every live node`,
        detail: () => problem,
      },
    );
    const moved = slotSet(after.slotRanges);
    for (const slot of slotSet(before.slotRanges)) moved.delete(slot);
    await this.forgetStaleSlotClaims(r.to, after.slotRanges, moved, timeoutMs);
    await this.waitHealthy({ what: 'the cluster after reshard', timeoutMs });
  }

  /**
   * Redis 7.0 (fixed in 7.4 by redis/redis#12564) can leave a replica of the reshard target with a stale
   * "owner not claiming this slot" mark (clusterState.owner_not_claiming_slot) on a moved slot, and that
   * mark later loses the slot for good:
   *
   * 1. During the reshard the target broadcasts a PONG after every imported slot, and every pair of nodes
   *    talks over two TCP links (each node's outbound link carries its PINGs, the other's its PONGs).
   *    Under CPU load a replica reads both links in one event-loop turn, so an older message from its
   *    master, built before the last slot(s) arrived, can be processed after a newer one that claimed
   *    them. The slot stays bound to the master, but it is marked as one its owner "no longer claims".
   * 2. Nothing clears the mark: it is cleared only when a message whose slot set differs from the
   *    replica's view arrives, and the master's slots no longer change.
   * 3. The master is failed over (SIGSTOP): the replica takes its slots in
   *    clusterFailoverReplaceYourMaster() with clusterDelSlot/clusterAddSlot, which in 7.0 keep the mark.
   * 4. The old master resumes (SIGCONT) and, before it learns of the failover, pings the new master
   *    claiming its old slots with its older config epoch. For a marked slot the new master skips the
   *    epoch comparison (isSlotUnclaimed) and hands the slot to the old master, deleting its keys.
   * 5. The old master then learns the new config for its other slots and turns replica; on that role
   *    change the new master drops whatever the old master owned (clusterDelNodeSlots): the slot is now
   *    unassigned on the new master, which no longer claims it, and nobody else ever will. The new master
   *    stays at cluster_state:fail with 16383 slots assigned forever (the other nodes still map the slot
   *    to it). `test/integration/redis-cluster-harness.int-spec.ts` hit exactly that in CI.
   *
   * So after a reshard every live replica deletes the moved slots from its own table (CLUSTER
   * DELSLOTSRANGE touches only that node's view; replicas serve no client) and learns them again from
   * the target's next ping: rebinding an unassigned slot clears the mark. Masters are left alone (a
   * master without a slot answers CLUSTERDOWN, and a reshard may run under client load): they take a
   * failed-over slot through the epoch-checked path, which clears the mark.
   */
  private async forgetStaleSlotClaims(
    owner: ClusterNode,
    ownerRanges: string,
    moved: Set<number>,
    timeoutMs: number,
  ): Promise<void> {
    if (!moved.size) return;
    await this.refresh();
    const replicas = this.live().filter((n) => n.role === 'replica');
    const ranges = toRanges(moved).flatMap(([a, b]) => [a, b]);
    await Promise.all(replicas.map((n) => this.command(n, 'CLUSTER', 'DELSLOTSRANGE', ...ranges)));
    let problem = '';
    await waitUntil(
      async () => {
        for (const n of replicas) {
          const entries = parseClusterNodes(String(await this.command(n, 'CLUSTER', 'NODES')));
          const seen = entries.find((e) => e.id === owner.id)?.slotRanges;
          problem = `${n.address} sees ${owner.address} with slots ${seen}, not ${ownerRanges}`;
          if (seen !== ownerRanges) return false;
        }
        return true;
      },
      {
        timeoutMs,
        intervalMs: 50,
        what: `every replica re-learned the ${moved.size} slots moved to ${owner.address}`,
        detail: () => problem,
      },
    );
  }

  /**
   * Waits until every live replica has applied its master's whole replication stream (its own
   * slave_repl_offset, not the master's view, which only moves with the once-a-second REPLCONF ACK),
   * e.g. before killing a master whose writes must survive.
   */
  async waitForReplication(timeoutMs = 10_000): Promise<void> {
    let problem = '';
    await waitUntil(
      async () => {
        for (const m of this.masters().filter((n) => n.alive)) {
          const replicas = this.replicasOf(m).filter((r) => r.alive);
          problem = `${m.address} has no live replica`;
          if (this.opts.replicasPerMaster > 0 && !replicas.length) return false;
          const offset = Number(
            infoField(String(await this.command(m, 'INFO', 'replication')), 'master_repl_offset'),
          );
          for (const r of replicas) {
            const info = String(await this.command(r, 'INFO', 'replication'));
            const link = infoField(info, 'master_link_status');
            const applied = Number(infoField(info, 'slave_repl_offset'));
            problem = `replica ${r.address}: link ${link}, offset ${applied} of ${offset}`;
            if (link !== 'up' || !(applied >= offset)) return false;
          }
        }
        return true;
      },
      { timeoutMs, intervalMs: 20, what: 'every replica caught up with its master', detail: () => problem },
    );
  }

  /**
   * Until the cluster has settled: cluster_state:ok with every slot served on every live node, and no
   * live node flagged failing (e.g. after kill(node, 'SIGCONT')). Refreshes roles.
   */
  async waitSettled(timeoutMs = 20_000): Promise<void> {
    await this.waitHealthy({ what: 'the cluster settling', timeoutMs, noFailedNodes: true });
  }

  /** Re-reads roles and ids from CLUSTER NODES on the first live node that answers. */
  async refresh(): Promise<void> {
    let lastError: unknown;
    for (const n of this.live()) {
      try {
        this.applyTopology(parseClusterNodes(String(await this.command(n, 'CLUSTER', 'NODES'))));
        return;
      } catch (e) {
        lastError = e;
      }
    }
    throw new Error(`RedisCluster.refresh: no live node answered (${String(lastError)})`);
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    this.clients.clear();
    await Promise.all(this.nodes.map((n) => n.server.stop().catch(() => undefined)));
  }

  private live(): ClusterNode[] {
    return this.nodes.filter((n) => n.alive);
  }

  /** The node's own line of CLUSTER NODES (its slots, epoch and migrations as it sees them). */
  private async selfEntry(node: ClusterNode): Promise<NodeEntry> {
    const entries = parseClusterNodes(String(await this.command(node, 'CLUSTER', 'NODES')));
    const own = entries.find((e) => e.flags.has('myself'));
    if (!own) throw new Error(`RedisCluster: ${node.address} does not list itself in CLUSTER NODES`);
    return own;
  }

  private applyTopology(entries: NodeEntry[]): void {
    for (const e of entries) {
      const node = this.nodes.find((n) => n.port === e.port);
      if (!node) continue;
      node.id = e.id;
      // A node that is failed keeps its last known role here (a killed master stays "master").
      node.role = e.flags.has('master') ? 'master' : 'replica';
      node.masterId = e.masterId;
      node.slots = e.slots;
    }
  }

  /**
   * Until every live node reports cluster_state:ok with all slots assigned and ok, and all live nodes
   * agree on the live nodes' roles, masters and slot counts (a resumed or restarted old master first
   * still calls itself master), then refreshes the topology. `noFailedNodes`: also until no live node
   * flags a live node as failing (after a restart or SIGCONT).
   */
  private async waitHealthy(o: {
    what: string;
    timeoutMs?: number;
    expectKnown?: number;
    noFailedNodes?: boolean;
  }): Promise<void> {
    let problem = '';
    // "One topology": every live node lists the same role and master for each live node, and for each
    // live master the same config epoch and exactly the same slots (not just as many).
    await waitUntil(
      async () => {
        const ports = new Set(this.live().map((n) => n.port));
        let agreed: string | undefined;
        for (const n of this.live()) {
          const info = String(await this.command(n, 'CLUSTER', 'INFO'));
          const state = infoField(info, 'cluster_state');
          const assigned = Number(infoField(info, 'cluster_slots_assigned'));
          const ok = Number(infoField(info, 'cluster_slots_ok'));
          problem = `${n.address}: state ${state}, slots assigned ${assigned}, ok ${ok}`;
          if (state !== 'ok' || assigned !== CLUSTER_SLOTS || ok !== CLUSTER_SLOTS) {
            problem += `; its CLUSTER NODES:\n${String(await this.command(n, 'CLUSTER', 'NODES'))}`;
            return false;
          }
          const known = Number(infoField(info, 'cluster_known_nodes'));
          problem = `${n.address}: knows ${known} nodes`;
          if (o.expectKnown && known !== o.expectKnown) return false;

          const entries = parseClusterNodes(String(await this.command(n, 'CLUSTER', 'NODES')));
          const view = entries
            .filter((e) => ports.has(e.port))
            .map((e) =>
              e.flags.has('master')
                ? `${e.port}:master:epoch-${e.configEpoch}:${e.slotRanges}`
                : `${e.port}:replica-of-${e.masterId}`,
            )
            .sort()
            .join(' ');
          problem = `${n.address} sees ${view}, another node ${agreed}`;
          if (agreed !== undefined && view !== agreed) return false;
          agreed = view;
          if (o.noFailedNodes) {
            const failing = entries.filter(
              (e) => ports.has(e.port) && (e.flags.has('fail') || e.flags.has('fail?')),
            );
            problem = `${n.address} flags as failing: ${failing.map((e) => e.port).join(', ')}`;
            if (failing.length) return false;
          }
        }
        return true;
      },
      {
        timeoutMs: o.timeoutMs ?? 20_000,
        intervalMs: 100,
        what: `${o.what}: cluster_state:ok and one topology on every node`,
        detail: () => problem,
      },
    );
    await this.refresh();
  }
}
