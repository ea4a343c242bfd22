/**
 * The inhibition variant of the ingest bench (`BENCH_INHIBIT_RULES`): up to 20 `inhibit_rules` shaped
 * like a real shared config. The first six match the reference load (alertname=Alert<n%500>,
 * cluster=c<n%3>, job=node, severity critical for even n / warning for odd n), so every critical alert
 * is a source of 3 to 6 rules and ingest writes those index entries; the other fourteen belong to
 * other teams and match nothing in the load, as most rules of a real config match most alerts not.
 * Only matchers Alertmanager 0.25 reads (no rule `name`), so both tools load the same file.
 */
import { loadConfig } from '@herald/config';
import { InhibitionRules, type LabelSet } from '@herald/domain';

const RULES: readonly string[] = [
  // Matching the load: the classic critical-mutes-warning rule, a cluster-wide one, the legacy form,
  // regex sides, an "instance down mutes the node's alerts" rule whose source matches both sides.
  `  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname, cluster]`,
  `  - source_matchers: ['severity="critical"', 'job="node"']
    target_matchers: ['severity="warning"', 'job="node"']
    equal: [cluster]`,
  `  - source_match: { severity: critical }
    target_match_re: { severity: 'warning|info' }
    equal: [cluster]`,
  `  - source_matchers: ['alertname=~"Alert[0-9]?0"']
    target_matchers: ['alertname=~"Alert[0-9]?[13579]"']
    equal: [cluster]`,
  `  - source_matchers: ['alertname="Alert0"']
    target_matchers: ['job="node"']
    equal: [cluster]`,
  `  - source_match_re: { cluster: 'c[01]', severity: critical }
    target_match: { severity: warning }
    equal: [cluster, job]`,
  // Other teams' rules: nothing in the load matches their source side.
  `  - source_matchers: ['alertname="KubeNodeNotReady"']
    target_matchers: ['alertname=~"KubePod.*"']
    equal: [node]`,
  `  - source_matchers: ['alertname="TargetDown"', 'job="kube-state-metrics"']
    target_matchers: ['job="kube-state-metrics"']
    equal: [namespace]`,
  `  - source_match: { alertname: ClusterDown }
    target_match_re: { alertname: '.+' }
    equal: [cluster]`,
  `  - source_matchers: ['alertname="PostgresDown"']
    target_matchers: ['alertname=~"Postgres.+"']
    equal: [instance]`,
  `  - source_matchers: ['alertname="RedisDown"']
    target_matchers: ['alertname=~"Redis(Replication|Memory).*"']
    equal: [instance]`,
  `  - source_matchers: ['alertname="KafkaBrokerDown"']
    target_matchers: ['alertname=~"KafkaConsumerLag.*"']
    equal: [cluster]`,
  `  - source_matchers: ['severity="page"', 'team="payments"']
    target_matchers: ['severity="ticket"', 'team="payments"']
    equal: [alertname, service]`,
  `  - source_matchers: ['alertname="DatacenterPowerLoss"']
    target_matchers: ['datacenter!=""']
    equal: [datacenter]`,
  `  - source_match: { alertname: NetworkPartition }
    target_match: { severity: warning }
    equal: [region]`,
  `  - source_matchers: ['alertname="EtcdNoLeader"']
    target_matchers: ['alertname=~"Etcd.*"']
    equal: [cluster]`,
  `  - source_matchers: ['alertname="NginxDown"']
    target_matchers: ['alertname=~"Nginx.*"', 'severity!="critical"']
    equal: [instance]`,
  `  - source_matchers: ['alertname="BlackboxProbeFailed"', 'job="blackbox"']
    target_matchers: ['alertname="SSLCertExpiringSoon"']
    equal: [instance]`,
  `  - source_matchers: ['team="storage"', 'severity="critical"']
    target_matchers: ['team="storage"', 'severity=~"warning|info"']
    equal: [cluster, service]`,
  `  - source_match: { alertname: MaintenanceMode }
    target_match_re: { severity: '.+' }
    equal: [cluster]`,
];

export const MAX_INHIBIT_RULES = RULES.length;

/** `inhibit_rules:` with the first `n` rules ('' for none), to append to the route YAML. */
export function inhibitRulesYaml(n: number): string {
  if (n <= 0) return '';
  if (n > RULES.length) throw new Error(`at most ${RULES.length} inhibit rules, asked for ${n}`);
  return `inhibit_rules:\n${RULES.slice(0, n).join('\n')}\n`;
}

export interface InhibitLoadStats {
  rules: number;
  /** Rules whose source side matches at least one alert of the load. */
  rulesMatchingLoad: number;
  /** Index entries (rule × equal values × side) ingest writes per request, averaged over the bodies. */
  sourceEntriesPerRequest: number;
  /** Alerts of the load that are a source of at least one rule. */
  sourceAlertsPct: number;
}

/**
 * What the rules make ingest do with the load, computed with Herald's own compiler from Herald's own
 * config loader (so a rule Herald would refuse fails here, before any process starts).
 */
export function inhibitLoadStats(routeYaml: string, n: number, bodies: readonly string[]): InhibitLoadStats {
  const cfg = loadConfig({ env: {}, fileText: routeYaml + inhibitRulesYaml(n) });
  const rules = new InhibitionRules(cfg.inhibitRules);
  const matching = new Set<string>();
  let entries = 0;
  let sources = 0;
  let alerts = 0;
  for (const body of bodies) {
    for (const a of JSON.parse(body) as { labels: LabelSet }[]) {
      const e = rules.sourceEntries(a.labels);
      alerts++;
      entries += e.length;
      if (e.length) sources++;
      for (const x of e) matching.add(x.ruleId);
    }
  }
  return {
    rules: rules.rules.length,
    rulesMatchingLoad: matching.size,
    sourceEntriesPerRequest: bodies.length ? Math.round((entries / bodies.length) * 10) / 10 : 0,
    sourceAlertsPct: alerts ? Math.round((sources / alerts) * 1000) / 10 : 0,
  };
}
