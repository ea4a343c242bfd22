import type { Redis } from 'ioredis';

/** What the watch needs of a Cluster client (ioredis' `Cluster`; a structural type keeps tests simple). */
export interface WatchedCluster {
  readonly status: string;
  nodes(role?: 'all' | 'master' | 'slave'): Pick<Redis, 'call'>[];
  refreshSlotsCache(callback?: (err?: Error | null) => void): void;
  on(event: 'ready' | 'end', listener: () => void): unknown;
  /** ioredis' map: per slot the `host:port` of its master, then its replicas (absent in simple fakes). */
  readonly slots?: readonly (readonly string[] | undefined)[];
}

export interface SlotMapWatchOptions {
  /** How often one node is asked for the slot map (ms). */
  intervalMs: number;
  /** How long an answer may take before the next check asks another node (ms). */
  timeoutMs: number;
  /**
   * With no client to ask ready (only clients whose connections may block), every this many checks each
   * client re-reads the map itself, as ioredis' own periodic refresh would.
   */
  fallbackEvery?: number;
}

/**
 * The Cluster clients a process holds of one Redis Cluster learn about a changed slot map (a failover, a
 * reshard) from one check instead of re-reading the map on a timer each. ioredis' periodic refresh
 * opens a connection per refresh (CLIENT SETNAME, CLUSTER SLOTS) and rebuilds its 16 384-slot map; a
 * node holds a dozen clients (request path, delivery queue and workers, BullMQ's blocking
 * duplicates, the event reader), so an idle node made 7.4 connections and 15 of its 31 Redis commands a
 * second on a 3-master cluster for a map that did not change (`npm run bench:idle`).
 *
 * Each `intervalMs` the watch sends CLUSTER SLOTS on a connection a request-path client already holds
 * (never on one that may be blocked in BZPOPMIN: it would answer after the block), to a different node
 * each time (a hung master cannot hide a failover for more than one check), and makes a client re-read
 * the map (`refreshSlotsCache`, ioredis' own) only when the map the node described differs from the one
 * the client last re-read at. New clients re-read once at their first check. MOVED, ASK and closed
 * connections still make ioredis refresh a client at once, as before.
 */
export class SlotMapWatch {
  private readonly clients = new Map<WatchedCluster, { known?: string; ask: boolean }>();
  private timer?: NodeJS.Timeout;
  private checking = false;
  private turn = 0;
  private checks = 0;

  constructor(private readonly opts: SlotMapWatchOptions) {}

  /**
   * Watches `client` until it ends (and again when it connects anew). `ask`: its node connections never
   * block, so the watch may send CLUSTER SLOTS on them.
   */
  add(client: WatchedCluster, ask: boolean): void {
    if (this.clients.has(client)) return;
    this.track(client, ask);
    client.on('end', () => this.remove(client));
    client.on('ready', () => this.track(client, ask));
  }

  private track(client: WatchedCluster, ask: boolean): void {
    if (!this.clients.has(client)) this.clients.set(client, { ask });
    this.start();
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs);
    this.timer.unref(); // never what keeps a process alive
  }

  /** Forgets an ended client; with none left the timer stops (a client that connects again restarts it). */
  private remove(client: WatchedCluster): void {
    this.clients.delete(client);
    if (this.clients.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Whether the check timer runs. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** One check: ask a node for the slot map, re-read it in the clients that knew another. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const ready = [...this.clients].filter(([c]) => c.status === 'ready');
      const asker = ready.find(([, s]) => s.ask)?.[0];
      this.checks++;
      if (!asker) {
        const every = this.opts.fallbackEvery ?? 5;
        if (this.checks % every === 0) for (const [c] of ready) c.refreshSlotsCache(() => undefined);
        return;
      }
      const nodes = asker.nodes('all');
      if (nodes.length === 0) return;
      const node = nodes[this.turn++ % nodes.length];
      let signature: string;
      let reply: unknown;
      try {
        reply = await withTimeout(node.call('CLUSTER', 'SLOTS'), this.opts.timeoutMs);
        signature = slotMapSignature(reply);
      } catch {
        return; // a node down or hung: the next check asks another
      }
      for (const [c, state] of ready) {
        if (state.known === signature) continue;
        state.known = signature;
        c.refreshSlotsCache((err) => {
          // Try again at the next check when the re-read failed, or when it read another node's older
          // view (a reshard or failover reaches the nodes' maps one by one): the client is current only
          // once its map has the masters this check was told.
          if (err || !hasMasters(c, reply)) state.known = undefined;
        });
      }
    } finally {
      this.checking = false;
    }
  }
}

/** Whether `c`'s map gives each range of a CLUSTER SLOTS `reply` the master the reply names. */
function hasMasters(c: WatchedCluster, reply: unknown): boolean {
  if (!c.slots || !Array.isArray(reply)) return true; // nothing to compare (a fake client)
  for (const r of reply as unknown[][]) {
    const m = r[2];
    if (!Array.isArray(m) || !m[0]) continue;
    if (c.slots[Number(r[0])]?.[0] !== `${String(m[0])}:${String(m[1])}`) return false;
  }
  return true;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('slot map check timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A CLUSTER SLOTS reply as a string that differs exactly when the slot map does: each range with its
 * master and its replicas (sorted: nodes list them in no fixed order), ranges sorted.
 */
export function slotMapSignature(reply: unknown): string {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS reply is not an array');
  const ranges: string[] = [];
  for (const r of reply) {
    if (!Array.isArray(r) || r.length < 3) throw new Error('CLUSTER SLOTS range is malformed');
    const addrs: string[] = [];
    for (const n of r.slice(2)) {
      if (Array.isArray(n) && n[0]) addrs.push(`${String(n[0])}:${String(n[1])}`);
    }
    const [master, ...replicas] = addrs;
    ranges.push(`${String(r[0])}-${String(r[1])}=${master ?? ''}/${replicas.sort().join(',')}`);
  }
  return ranges.sort().join(' ');
}

/**
 * The process's watches, one per cluster (its seed nodes and user), kept once made: an idle one is a
 * stopped timer, and a client that ends and connects again stays on the same watch as the others.
 */
const watches = new Map<string, SlotMapWatch>();

export function slotMapWatchFor(key: string, opts: SlotMapWatchOptions): SlotMapWatch {
  let w = watches.get(key);
  if (!w) {
    w = new SlotMapWatch(opts);
    watches.set(key, w);
  }
  return w;
}
