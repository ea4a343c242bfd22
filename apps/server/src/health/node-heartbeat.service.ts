import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { hostname } from 'node:os';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { Clock } from '@herald/domain';
import { execPipeline, scanKeys, type RedisClient, type RedisKeys } from '@herald/redis';
import { CLOCK } from '../clock/clock.module';
import { NODE_LIFECYCLE, type NodeLifecycle } from '../lifecycle/lifecycle.tokens';
import { NODE_STATE, type NodeState } from '../lifecycle/node-state';
import { REDIS_CLIENT, REDIS_KEYS, STORE_STATUS, type StoreStatusFn } from '../store/group-store.module';

/** A Herald node as seen through its heartbeat key. */
export interface PeerInfo {
  name: string;
  address: string;
  startedAt?: number;
  version?: string;
}

const HEARTBEAT_EVERY_MS = 5_000;
const HEARTBEAT_TTL_MS = 15_000;

/**
 * Cluster membership through Redis: every few seconds each node SETs `<prefix>:node:{<nodeId>}` with a
 * TTL; the peers are the keys found by SCAN. A node that stops heartbeating drops out after the TTL.
 * In memory mode (or while Redis is down) the only node this one knows is itself.
 */
@Injectable()
export class NodeHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Heartbeat');
  private timer?: NodeJS.Timeout;
  readonly startedAt: number;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(STORE_STATUS) private readonly storeStatus: StoreStatusFn,
    private readonly http: HttpAdapterHost,
    @Inject(CLOCK) clock: Clock,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    @Optional() @Inject(NODE_STATE) state?: NodeState,
    @Optional() @Inject(NODE_LIFECYCLE) private readonly lifecycle?: NodeLifecycle,
  ) {
    // The process's start, not this application's: a config reload does not reset the uptime.
    this.startedAt = state?.startedAt ?? clock.now();
  }

  key(nodeId: string): string {
    return this.keys.nodeHeartbeat(nodeId);
  }

  /** This node's address: the address the server listens on (the configured one before listen). */
  self(): PeerInfo {
    let address = `${this.config.herald.listenAddress}:${this.config.herald.port}`;
    try {
      const a: unknown = this.http.httpAdapter?.getHttpServer()?.address();
      if (a && typeof a === 'object' && 'port' in a) {
        const { address: host, port } = a as { address: string; port: number };
        // A wildcard listen address says nothing to a peer: use the host name instead.
        const h = host === '0.0.0.0' || host === '::' ? hostname() : host;
        address = `${h.includes(':') ? `[${h}]` : h}:${port}`;
      }
    } catch {
      /* not listening yet */
    }
    return { name: this.config.herald.nodeId, address, startedAt: this.startedAt };
  }

  /** True when Redis is the source of truth right now (heartbeats are shared). */
  clustered(): boolean {
    return !!this.redis && this.storeStatus().mode === 'redis';
  }

  onApplicationBootstrap(): void {
    if (!this.redis) return;
    const beat = () => void this.beat();
    beat();
    this.timer = setInterval(beat, HEARTBEAT_EVERY_MS);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    if (!this.redis || this.redis.status !== 'ready') return;
    try {
      await this.redis.set(
        this.key(this.config.herald.nodeId),
        JSON.stringify(this.self()),
        'PX',
        HEARTBEAT_TTL_MS,
      );
    } catch (e) {
      this.log.debug(`heartbeat failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The nodes heartbeating in Redis (this one included), by name; just this node without Redis. */
  async peers(): Promise<PeerInfo[]> {
    const me = this.self();
    if (!this.redis || !this.clustered()) return [me];
    // SCAN on each master (a Cluster client scans one node), then one GET per key, pipelined per node.
    const keys = new Set<string>();
    let pages = 0;
    for await (const page of scanKeys(this.redis, this.keys.nodeHeartbeatPattern(), 200)) {
      for (const k of page) keys.add(k);
      if (++pages >= 1000) break;
    }
    const replies = await execPipeline(this.redis, (p) => {
      for (const k of keys) p.get(k);
    });
    const values = replies.map(([err, v]) => {
      if (err) throw err; // Redis failing mid-listing, as a failed MGET was
      return v as string | null;
    });
    const peers = new Map<string, PeerInfo>([[me.name, me]]);
    for (const v of values) {
      if (!v) continue; // expired between SCAN and GET
      try {
        const p = JSON.parse(v) as PeerInfo;
        if (typeof p.name === 'string' && typeof p.address === 'string' && p.name !== me.name)
          peers.set(p.name, p);
      } catch {
        /* a foreign or corrupt value: ignore */
      }
    }
    // By code unit, not localeCompare: a collator loads ICU's data (~8 MB of RSS, issue 16).
    return [...peers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // An application retired by a config reload: the node lives on (its successor beats already).
    if (this.lifecycle && this.lifecycle.phase !== 'stopping') return;
    if (this.redis?.status === 'ready') {
      await this.redis.del(this.key(this.config.herald.nodeId)).catch(() => undefined);
    }
  }
}
