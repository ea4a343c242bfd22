import {
  Inject,
  Injectable,
  Logger,
  Module,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  MemoryEventLog,
  MemoryNotificationHistory,
  type Clock,
  type EventLog,
  type NotificationHistory,
} from '@herald/domain';
import type { HeraldMetrics } from '@herald/observability';
import {
  createRedisClient,
  RedisEventLog,
  RedisNotificationHistory,
  redisConnectionOptions,
} from '@herald/redis';
import { CLOCK } from '../clock/clock.module';
import { compatKey, NODE_STATE, type NodeState } from '../lifecycle/node-state';
import { HERALD_METRICS } from '../metrics/metrics.tokens';
import { GroupStoreModule, STORE_HANDLES, type StoreHandles } from '../store/group-store.module';
import { EVENT_LOG, NOTIFICATION_HISTORY } from './activity.tokens';

/** A group's newest history entry (`GET /api/v1/groups/:id`) is kept this long after it was written. */
const HISTORY_LAST_TTL_MS = 7 * 24 * 3600_000;
/** At most one log line per this long for lost history/event writes (a Redis outage loses many). */
const LOG_EVERY_MS = 10_000;

/** The bounds a reload may change, read by the kept history and event log on every write. */
interface ActivitySettings {
  historyMax: number;
  eventsMax: number;
  tenants: readonly string[];
}

/** What the node keeps across config reloads: the history, the event log (and its reader) and their bounds. */
interface Activity {
  history: NotificationHistory;
  events: EventLog;
  settings: ActivitySettings;
  close(): Promise<void>;
}

function settingsOf(cfg: HeraldConfig): ActivitySettings {
  const h = cfg.herald;
  return {
    historyMax: h.history.maxEntries,
    eventsMax: h.events.maxEntries,
    tenants: h.tenants.length ? h.tenants.map((t) => t.id) : [h.defaultTenant],
  };
}

/** Logs at most one line per `LOG_EVERY_MS` for a kind of loss; metrics count every one. */
function sparseWarn(log: Logger): (what: string, err?: unknown) => void {
  const last = new Map<string, number>();
  return (what, err) => {
    const now = Date.now();
    if (now - (last.get(what) ?? 0) < LOG_EVERY_MS) return;
    last.set(what, now);
    log.warn(`${what}${err === undefined ? '' : `: ${err instanceof Error ? err.message : String(err)}`}`);
  };
}

function build(cfg: HeraldConfig, handles: StoreHandles, clock: Clock, metrics?: HeraldMetrics): Activity {
  const settings = settingsOf(cfg);
  const log = new Logger('Activity');
  const warn = sparseWarn(log);
  const opts = handles.redis ? redisConnectionOptions(cfg.herald.redis, `${cfg.herald.nodeId}:events`) : null;
  if (!handles.redis || !opts) {
    const history = new MemoryNotificationHistory({
      get maxEntries() {
        return settings.historyMax;
      },
    });
    const events = new MemoryEventLog({
      get maxEntries() {
        return settings.eventsMax;
      },
      now: () => clock.now(),
    });
    return { history, events, settings, close: () => events.close() };
  }
  const history = new RedisNotificationHistory(handles.redis, handles.keys, {
    maxEntries: () => settings.historyMax,
    lastTtlMs: HISTORY_LAST_TTL_MS,
    onLost: (why, err) => {
      metrics?.historyLost.inc({ reason: why });
      warn(`notification history: entry not recorded (${why})`, err);
    },
  });
  // The reader blocks on its own connection (XREAD BLOCK), never on the request path's client.
  const reader = createRedisClient(opts, 'blocking');
  reader.on('error', () => undefined); // the read loop reports failures
  const events = new RedisEventLog(handles.redis, reader, handles.keys, {
    maxEntries: () => settings.eventsMax,
    tenants: () => settings.tenants,
    onError: (op, err) => {
      metrics?.eventErrors.inc({ op });
      warn(`live events: stream ${op} failed`, err);
    },
  });
  const close = async (): Promise<void> => {
    await history.drain(); // records batched for the next turn reach Redis before its connection closes
    await events.close();
  };
  return { history, events, settings, close };
}

function createActivity(
  cfg: HeraldConfig,
  handles: StoreHandles,
  clock: Clock,
  state?: NodeState,
  metrics?: HeraldMetrics,
): Activity {
  if (!state) return build(cfg, handles, clock, metrics);
  const kept = state.keep(
    'activity',
    compatKey(cfg.herald.redis, cfg.herald.nodeId),
    () => build(cfg, handles, clock, metrics),
    (a) => a.close(),
  );
  state.onLive(() => Object.assign(kept.settings, settingsOf(cfg)));
  return kept;
}

const ACTIVITY = Symbol('ACTIVITY');

/** Starts the event reader on nodes that serve the API, and closes what the application owns. */
@Injectable()
class ActivityLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(ACTIVITY) private readonly activity: Activity,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Optional() @Inject(NODE_STATE) private readonly state?: NodeState,
  ) {}

  onApplicationBootstrap(): void {
    const e = this.activity.events;
    if (this.config.herald.roles.has('api') && e instanceof RedisEventLog) e.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.state) await this.activity.close(); // kept: the node state releases it
  }
}

/**
 * The notification history and the live-event log of the node (issue 17): written by delivery (every
 * attempt), ingest, silences and the admin API; read by `/api/v1/notifications` and `/api/v1/events`.
 */
@Module({
  imports: [GroupStoreModule],
  providers: [
    {
      provide: ACTIVITY,
      inject: [
        HERALD_CONFIG,
        STORE_HANDLES,
        CLOCK,
        { token: NODE_STATE, optional: true },
        { token: HERALD_METRICS, optional: true },
      ],
      useFactory: createActivity,
    },
    { provide: NOTIFICATION_HISTORY, inject: [ACTIVITY], useFactory: (a: Activity) => a.history },
    { provide: EVENT_LOG, inject: [ACTIVITY], useFactory: (a: Activity) => a.events },
    ActivityLifecycle,
  ],
  exports: [NOTIFICATION_HISTORY, EVENT_LOG],
})
export class ActivityModule {}
