import { hookConfig } from './config';
import { HttpSink, type SinkResponder } from './http-sink';
import { NginxServer } from './nginx';
import { NodeProcess } from './node-process';
import { RedisCluster, type RedisClusterOptions } from './redis-cluster';
import { RedisServer, type RedisServerOptions } from './redis-server';

/**
 * The process clusters' config: group_wait 1 s, repeat_interval 1 h, resolutions sent, scheduler ticks of
 * 200 ms with 3 s leases; `herald` is the rest of the (indented) `herald:` body.
 */
export function clusterConfig(sinkUrl: string, groupInterval: string, herald: string): string {
  return hookConfig(sinkUrl, {
    groupWait: '1s',
    groupInterval,
    repeatInterval: '1h',
    sendResolved: true,
    herald: `  scheduler:\n    tick: 200ms\n    lease: 3s\n${herald}`,
  });
}

/**
 * The exactly-once scenarios' config: `clusterConfig` with a 2 s group_interval, stalled delivery jobs
 * taken over after 3 s and a 1 s Redis command timeout.
 */
export const exactlyOnceConfig = (sinkUrl: string): string =>
  clusterConfig(
    sinkUrl,
    '2s',
    `  delivery:
    stalled_timeout: 3s
  redis:
    command_timeout: 1s
`,
  );

/** Herald node processes on one redis-server, behind nginx, notifying one HTTP sink. */
export interface ProcessCluster {
  redis: RedisServer;
  sink: HttpSink;
  nodes: NodeProcess[];
  nginx: NginxServer;
  /** nginx, the nodes (SIGKILL), the sink, Redis: in that order. */
  stop(): Promise<void>;
}

export async function startProcessCluster(o: {
  ids: string[];
  yaml: (sinkUrl: string) => string;
  redis?: RedisServerOptions;
  respond?: SinkResponder;
}): Promise<ProcessCluster> {
  const redis = await RedisServer.start(o.redis);
  return { redis, ...(await startNodes(o, { REDIS_URL: redis.url }, () => redis.stop())) };
}

/** Herald node processes on a real Redis Cluster (3 masters, 3 replicas), behind nginx, notifying a sink. */
export interface ProcessClusterOnRedisCluster extends Omit<ProcessCluster, 'redis'> {
  redis: RedisCluster;
}

/**
 * `startProcessCluster` on a Redis Cluster: every node gets the cluster's nodes in
 * `REDIS_CLUSTER_NODES` (what an operator would set), so `herald.redis.cluster` is exercised as a user
 * configures it.
 */
export async function startProcessClusterOnRedisCluster(o: {
  ids: string[];
  yaml: (sinkUrl: string) => string;
  redis?: RedisClusterOptions;
  respond?: SinkResponder;
}): Promise<ProcessClusterOnRedisCluster> {
  const redis = await RedisCluster.start(o.redis);
  const env = { REDIS_CLUSTER_NODES: redis.seedNodes().join(',') };
  return { redis, ...(await startNodes(o, env, () => redis.stop())) };
}

/** The sink, the nodes (with `env`) and nginx of a process cluster; `stop` ends with `stopRedis`. */
async function startNodes(
  o: { ids: string[]; yaml: (sinkUrl: string) => string; respond?: SinkResponder },
  env: Record<string, string>,
  stopRedis: () => Promise<void>,
): Promise<Omit<ProcessCluster, 'redis'>> {
  const sink = await HttpSink.start();
  if (o.respond !== undefined) sink.respond(o.respond);
  const nodes = await Promise.all(o.ids.map((id) => NodeProcess.start(id, o.yaml(sink.url), env)));
  const nginx = await NginxServer.start({ upstreams: nodes.map((n) => n.port) });
  return {
    sink,
    nodes,
    nginx,
    stop: async () => {
      await nginx.stop();
      await Promise.all(nodes.map((n) => n.kill()));
      await sink.stop();
      await stopRedis();
    },
  };
}
