/** `heraldctl history`: the notification history of a node's tenant, through its API. */
import { int, parseArgs, parseDuration, parseRfc3339, str, UsageError, type FlagKind } from './args';
import { iso, table } from './format';
import { callNode } from './node-api';
import { jsonOutput, NODE_FLAGS, nodeTarget, type NodeIo } from './silences';

export const HISTORY_HELP = `  history [--group ID] [--receiver R] [--since T] [--limit N]
                                       send attempts and their outcomes (delivered, retrying, failed =
                                       dead-lettered, stalled = the sending node stopped and the job
                                       runs again), newest first, through a node's API (node flags
                                       below; with tenants, --api-key-file holds a dashboard session
                                       token); --since takes RFC 3339 or a duration back from now (2h);
                                       --limit 1..1000 (default 100)`;

export const HISTORY_FLAGS: Record<string, FlagKind> = {
  ...NODE_FLAGS,
  group: 'string',
  receiver: 'string',
  since: 'string',
  limit: 'string',
};

/** One entry as `GET /api/v1/notifications` answers it. */
interface Wire {
  id: string;
  at: string;
  groupId: string;
  receiver: string;
  integration: string;
  reason: string;
  alerts: number;
  attempt: number;
  outcome: string;
  statusCode?: number;
  error?: string;
  node: string;
}

/** `history …`: flags parsed here (the command table only routes to it). */
export async function historyCommand(argv: string[], io: NodeIo): Promise<number> {
  const a = parseArgs(argv, HISTORY_FLAGS);
  if (a.flags.has('help') || a.flags.has('h')) {
    io.out(`usage: heraldctl history [flags]\n${HISTORY_HELP}`);
    return 0;
  }
  if (a.positionals.length)
    throw new UsageError(`history: unexpected argument ${JSON.stringify(a.positionals[0])}`);
  const q = new URLSearchParams();
  const group = str(a, 'group');
  if (group !== undefined) {
    if (!/^[0-9a-f]{16}$/.test(group))
      throw new UsageError(`--group must be a group id (16 hex digits), got ${JSON.stringify(group)}`);
    q.set('group', group);
  }
  const receiver = str(a, 'receiver');
  if (receiver !== undefined) q.set('receiver', receiver);
  const since = str(a, 'since');
  if (since !== undefined) q.set('since', new Date(sinceMs(since, (io.now ?? Date.now)())).toISOString());
  q.set('limit', String(int(a, 'limit', 100, 1, 1000)));
  const json = jsonOutput(a);
  const t = await nodeTarget(a, io);
  const { notifications } = await callNode<{ notifications: Wire[] }>(t, 'GET', `/api/v1/notifications?${q}`);
  if (json) io.out(JSON.stringify(notifications, null, 2));
  else if (notifications.length === 0) io.out('no notifications recorded');
  else
    for (const line of table(
      [
        'AT',
        'OUTCOME',
        'TRY',
        'RECEIVER',
        'INTEGRATION',
        'REASON',
        'ALERTS',
        'STATUS',
        'GROUP',
        'NODE',
        'ERROR',
      ],
      notifications.map((n) => [
        iso(Date.parse(n.at)),
        n.outcome,
        n.attempt,
        n.receiver,
        n.integration,
        n.reason,
        n.alerts,
        n.statusCode ?? '',
        n.groupId,
        n.node,
        n.error ?? '',
      ]),
      { keep: [8] },
    ))
      io.out(line);
  return 0;
}

/** `--since`: an RFC 3339 time, or a duration back from now. */
function sinceMs(s: string, now: number): number {
  const t = parseRfc3339(s);
  if (t !== null) return t;
  const d = parseDuration(s);
  if (d !== null && d > 0) return now - d;
  throw new UsageError(`--since must be an RFC 3339 time or a duration such as 2h, got ${JSON.stringify(s)}`);
}
