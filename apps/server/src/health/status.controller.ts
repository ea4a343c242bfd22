import { Controller, Get, Inject } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { alertmanagerVersionInfo, type BuildInfo } from '@herald/observability';
import { STORE_STATUS, type StoreStatusFn } from '../store/group-store.module';
import { NodeHeartbeat } from './node-heartbeat.service';

/** Alertmanager's `alertmanagerStatus` (GET /api/v2/status). */
export interface AlertmanagerStatus {
  cluster: {
    name: string;
    status: 'ready' | 'settling' | 'disabled';
    peers: { name: string; address: string }[];
  };
  versionInfo: BuildInfo;
  config: { original: string };
  uptime: string;
}

/**
 * `GET /api/v2/status` in Alertmanager's shape, so amtool and Grafana's Alertmanager data source work.
 * cluster: `ready` with the nodes heartbeating in Redis, `settling` while Redis is down or the memory
 * state is being merged back (peers: this node), `disabled` without Redis (peers: this node).
 * config.original is the loaded config as Alertmanager shows it, secrets as `<secret>`; it is served
 * without authentication (amtool and Grafana read it), so the `herald:` section's tenants are hidden too:
 * no tenant ids or names, usernames, roles, hashes or keys — only their count (`<2 tenants>`).
 */
@Controller('api/v2')
export class StatusController {
  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(STORE_STATUS) private readonly storeStatus: StoreStatusFn,
    private readonly heartbeat: NodeHeartbeat,
  ) {}

  @Get('status')
  async status(): Promise<AlertmanagerStatus> {
    const mode = this.storeStatus().mode;
    const status = mode === 'memory' ? 'disabled' : mode === 'redis' ? 'ready' : 'settling';
    let peers = [this.heartbeat.self()];
    try {
      peers = await this.heartbeat.peers();
    } catch {
      /* Redis failed mid-listing: this node only */
    }
    return {
      cluster: {
        name: this.config.herald.nodeId,
        status,
        peers: peers.map((p) => ({ name: p.name, address: p.address })),
      },
      versionInfo: alertmanagerVersionInfo(), // the same values as alertmanager_build_info
      config: { original: this.config.originalRedacted },
      uptime: new Date(this.heartbeat.startedAt).toISOString(),
    };
  }
}
