/**
 * The Herald YAML the suites start nodes with: one route to one receiver, grouped by alertname, with
 * the timings each suite needs. What a suite does not set is left out (Herald's defaults apply).
 */

/** `herald.redis` for the Redis-fault suites: fail over within 300 ms, check for the way back every 100 ms. */
export const FAST_FAILOVER = `  redis:
    command_timeout: 300ms
    reconnect_check_interval: 100ms
`;

/** One `default` receiver without integrations; `herald` is the (indented) body of `herald:`. */
export function defaultConfig(herald = ''): string {
  return `
route:
  receiver: default
  group_by: [alertname]
receivers:
  - name: default
${herald ? `herald:\n${herald}` : ''}`;
}

export interface HookConfig {
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  sendResolved?: boolean;
  /** `herald.scheduler.tick`. */
  tick?: string;
  /** The (indented) body of `herald:` (after the tick, when given). */
  herald?: string;
}

/** One `hook` receiver: a webhook to `${sinkUrl}/hook`. */
export function hookConfig(sinkUrl: string, o: HookConfig = {}): string {
  const line = (key: string, v: string | undefined) => (v === undefined ? '' : `  ${key}: ${v}\n`);
  const herald = (o.tick ? `  scheduler:\n    tick: ${o.tick}\n` : '') + (o.herald ?? '');
  return `
route:
  receiver: hook
  group_by: [alertname]
${line('group_wait', o.groupWait)}${line('group_interval', o.groupInterval)}${line('repeat_interval', o.repeatInterval)}receivers:
  - name: hook
    webhook_configs:
      - url: ${sinkUrl}/hook
${o.sendResolved ? '        send_resolved: true\n' : ''}${herald ? `herald:\n${herald}` : ''}`;
}
