import { hookConfig } from './config';
import { HttpSink } from './http-sink';
import { NodeProcess } from './node-process';

/**
 * Two Herald node processes with one configuration on one Redis (`env`: REDIS_URL or
 * REDIS_CLUSTER_NODES) and the webhook sink they notify: the setup of the e2e suites that follow what
 * one node does from the other (live events, history, the dashboard). The sink refuses alerts named
 * Bad* for good (400: a dead letter at once) and accepts the rest; groups flush fast (group_wait 200ms,
 * group_interval 1s, scheduler tick 100ms). `heraldYaml`: more of the `herald` section (tenants).
 */
export async function startNodePair(
  names: readonly [string, string],
  env: Record<string, string>,
  heraldYaml: string,
): Promise<{ sink: HttpSink; a: NodeProcess; b: NodeProcess }> {
  const sink = await HttpSink.start();
  sink.respond((_i, req) =>
    String((req.json as { commonLabels?: { alertname?: string } })?.commonLabels?.alertname).startsWith('Bad')
      ? 400
      : 200,
  );
  const yaml = hookConfig(sink.url, {
    groupWait: '200ms',
    groupInterval: '1s',
    repeatInterval: '1h',
    herald: `  scheduler:\n    tick: 100ms\n${heraldYaml}`,
  });
  try {
    const [a, b] = await Promise.all([
      NodeProcess.start(names[0], yaml, env),
      NodeProcess.start(names[1], yaml, env),
    ]);
    return { sink, a, b };
  } catch (e) {
    await sink.stop();
    throw e;
  }
}
