import {
  buildWebhookPayload,
  createFlushContext,
  FlushPipeline,
  needsUpdate,
  nflogTtl,
  receiverView,
  type ClaimedEntry,
  type Clock,
  type FlushStore,
  type GroupState,
  type GroupStore,
  type NflogEntry,
  type NotificationReason,
  type ResolvedCleanup,
  type WebhookPayload,
} from '@herald/domain';

/** What the runner needs to know of a receiver. */
export interface RunnerReceiver {
  name: string;
  sendResolved: boolean;
  /** `max_alerts` of its webhook integration (0 = no limit). */
  maxAlerts: number;
  /** False for a receiver without integrations: nothing to send, the flush is recorded at once. */
  deliverable: boolean;
  /**
   * Integration kinds of the receiver Herald cannot deliver (kept only with
   * `herald.allow_unsupported_receivers`): every notification they would have sent is reported.
   */
  unsupported?: readonly string[];
}

/** One notification handed to delivery; delivery calls `FlushRunner.delivered` once a receiver accepted it. */
export interface OutgoingNotification {
  tenant: string;
  receiver: string;
  groupId: string;
  groupKey: string;
  state: GroupState;
  seq: number;
  idempotencyKey: string;
  reason: NotificationReason;
  payload: WebhookPayload;
  /** Notification-log entry to write after delivery, with its TTL. */
  record: NflogEntry;
  logTtl: number;
  /** Resolved alerts to remove once delivered (recovery half). */
  cleanup: ResolvedCleanup | null;
  /** The group's `group_interval` (ms): a given-up notification is tried again after it. */
  groupInterval: number;
  /** The group's `repeat_interval` (ms), for the dedup check right before the send (`superseded`). */
  repeatInterval: number;
}

/**
 * What became of an enqueue: `queued` (new job), `pending` (the same flush is queued or retrying),
 * `delivered` (it was delivered before but its log write was lost), `dead` (it was given up: the next
 * flush must use a new sequence).
 */
export type EnqueueOutcome = 'queued' | 'pending' | 'delivered' | 'dead';

/** Port: the delivery queue as the runner sees it. Enqueueing the same flush twice must be a no-op. */
export interface Notifier {
  enqueue(n: OutgoingNotification): Promise<EnqueueOutcome>;
}

/** Port: the group lock (libs/locks `LockManager.using` with no wait). Resolves false when busy. */
export type GroupLock = (tenant: string, groupId: string, fn: () => Promise<void>) => Promise<boolean>;

export interface FlushRunnerOptions {
  nodeId: string;
  externalURL: string;
  /** How long a claim is leased before another node may take it over (ms). */
  leaseMs: number;
  /** Entries claimed per bucket per tick. */
  claimLimit: number;
  /** Flushes run at once by one node. */
  concurrency: number;
  receivers: ReadonlyMap<string, RunnerReceiver>;
  /** Told about a flush that failed (its lease lapses and it is retried). */
  onError?: (entry: ClaimedEntry, err: unknown) => void;
  /** Removes resolved alerts from a group (and the group when empty). */
  applyCleanup: (tenant: string, groupId: string, cleanup: ResolvedCleanup) => Promise<void>;
  /** Told about every notification a receiver's unsupported integration kinds did not send. */
  onUnsupported?: (n: OutgoingNotification, kinds: readonly string[]) => void;
}

export interface TickResult {
  claimed: number;
  notified: number;
  skipped: number;
  failed: number;
}

/**
 * One scheduler tick, as plain TypeScript (the Nest scheduler only calls `tick` on an interval):
 * claim due group halves from every bucket (atomic, with a lease), take the group lock, run the flush
 * pipeline with one clock reading, hand a notification to delivery, and reschedule. The notification
 * log is written by `delivered` after a receiver accepted, so a crash between enqueue and delivery
 * re-sends with the same sequence number (same delivery job id, same Idempotency-Key).
 */
export class FlushRunner {
  private readonly pipeline = new FlushPipeline();
  private tickNo = 0;

  constructor(
    private readonly groups: GroupStore,
    private readonly flush: FlushStore,
    private readonly notifier: Notifier,
    private readonly lock: GroupLock,
    private readonly clock: Clock,
    private readonly opts: FlushRunnerOptions,
  ) {}

  async tick(): Promise<TickResult> {
    const owner = `${this.opts.nodeId}#${++this.tickNo}`;
    const res: TickResult = { claimed: 0, notified: 0, skipped: 0, failed: 0 };
    const claimed: ClaimedEntry[] = [];
    const now = this.clock.now();
    for (let b = 0; b < this.flush.dueBuckets; b++) {
      claimed.push(...(await this.flush.claimDue(b, now, this.opts.leaseMs, owner, this.opts.claimLimit)));
    }
    res.claimed = claimed.length;
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const entry = claimed[next++];
        try {
          const out = await this.flushOne(entry);
          if (out === 'notified') res.notified++;
          else res.skipped++;
        } catch (e) {
          // The lease lapses and another tick (here or on another node) takes the entry again.
          res.failed++;
          this.opts.onError?.(entry, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, claimed.length) }, worker));
    return res;
  }

  private async flushOne(entry: ClaimedEntry): Promise<'notified' | 'skipped'> {
    let outcome: 'notified' | 'skipped' = 'skipped';
    const got = await this.lock(entry.tenant, entry.groupId, async () => {
      const group = await this.groups.getGroup(entry.tenant, entry.groupId);
      if (!group) {
        await this.flush.complete(entry, null); // expired or deleted: drop its due entry
        return;
      }
      const rc = this.opts.receivers.get(group.receiver) ?? {
        name: group.receiver,
        sendResolved: true,
        maxAlerts: 0,
        deliverable: false,
      };
      const key = { tenant: entry.tenant, groupId: entry.groupId, receiver: rc.name };
      const [firingLog, recoveryLog] = await Promise.all([
        this.flush.readLogState({ ...key, state: 'firing' }),
        this.flush.readLogState({ ...key, state: 'recovery' }),
      ]);
      const ctx = createFlushContext(this.clock, {
        tenant: entry.tenant,
        group,
        receiver: { name: rc.name, sendResolved: rc.sendResolved },
        state: entry.state,
        log: { firing: firingLog.entry, recovery: recoveryLog.entry },
        failedSeq: (entry.state === 'firing' ? firingLog : recoveryLog).failedSeq,
        pendingSeq: (entry.state === 'firing' ? firingLog : recoveryLog).pendingSeq,
      });
      const d = this.pipeline.run(ctx);
      const ttl = nflogTtl(group.repeatInterval);
      let nextDueAt = d.nextDueAt;
      if (d.notify) {
        const n: OutgoingNotification = {
          tenant: entry.tenant,
          receiver: rc.name,
          groupId: group.groupId,
          groupKey: group.groupKey,
          state: entry.state,
          seq: d.seq,
          idempotencyKey: d.idempotencyKey,
          reason: d.reason,
          payload: buildWebhookPayload({
            receiver: rc.name,
            groupKey: group.groupKey,
            groupLabels: group.labels,
            alerts: d.alerts,
            reason: d.reason,
            externalURL: this.opts.externalURL,
            maxAlerts: rc.maxAlerts,
            now: ctx.now,
          }),
          record: d.record,
          logTtl: ttl,
          cleanup: d.cleanup,
          groupInterval: group.groupInterval,
          repeatInterval: group.repeatInterval,
        };
        if (rc.unsupported?.length) this.opts.onUnsupported?.(n, rc.unsupported);
        if (!rc.deliverable) {
          await this.delivered(n); // nothing to send: the flush counts as done
        } else {
          const r = await this.notifier.enqueue(n);
          if (r === 'delivered') {
            await this.delivered(n); // delivered before, but the log write was lost (crash): record it now
          } else if (r === 'queued' || r === 'pending') {
            await this.flush.markPending(d.record, d.seq, ttl);
          } else if (r === 'dead') {
            // This sequence was given up (and its dead-letter listener did not get to record it): mark
            // it, and flush again at the next tick under a new sequence instead of waiting on a dead job.
            await this.flush.markFailed(d.record, d.seq, ttl);
            nextDueAt = ctx.now;
          }
        }
        outcome = 'notified';
      } else {
        if (d.record) await this.flush.writeLog(d.record, ttl);
        if (d.cleanup) await this.opts.applyCleanup(entry.tenant, entry.groupId, d.cleanup);
      }
      if (d.scheduleRecovery) {
        await this.flush.schedule({
          tenant: entry.tenant,
          groupId: entry.groupId,
          state: 'recovery',
          dueAt: ctx.now,
        });
      }
      const deleted = d.cleanup?.deleteGroup && !d.notify;
      await this.flush.complete(entry, deleted ? null : nextDueAt);
    });
    if (!got) {
      // The other half of the group (or another node) holds the group lock: hand the entry back to
      // the due index for the next tick instead of letting its lease run out.
      await this.flush.complete(entry, Math.max(entry.dueAt, this.clock.now()));
    }
    return got ? outcome : 'skipped';
  }

  /** Called by delivery after a receiver accepted `n`: record it in the log, then clean up. */
  async delivered(n: OutgoingNotification): Promise<void> {
    await this.flush.writeLog(n.record, n.logTtl);
    if (n.cleanup) await this.opts.applyCleanup(n.tenant, n.groupId, n.cleanup);
  }

  /**
   * Alertmanager's dedup, run again right before the send (in Alertmanager it runs right before the
   * send, in the same goroutine): true when the receiver already got what `n` says from another
   * notification — this one or a newer one was delivered (`seq`), or, for the firing half, the log now
   * holds every alert of `n` as notified firing within `repeat_interval`. Two notifications of one
   * group can be queued at once when a Redis outage split what the nodes knew (one queued before the
   * outage on one node, one during it on another): whichever is delivered first makes the other moot.
   */
  async superseded(n: OutgoingNotification): Promise<boolean> {
    const key = { tenant: n.tenant, groupId: n.groupId, receiver: n.receiver };
    const [firing, recovery] = await Promise.all([
      this.flush.readLog({ ...key, state: 'firing' }),
      this.flush.readLog({ ...key, state: 'recovery' }),
    ]);
    const own = n.state === 'firing' ? firing : recovery;
    if (own && own.seq >= n.seq) return true;
    if (n.state !== 'firing' || !firing) return false;
    const view = receiverView(firing, recovery);
    const reason = needsUpdate({
      last: { firing: [...view.firing], resolved: [...view.resolved], timestamp: firing.timestamp },
      firing: new Set(n.record.firing),
      resolved: new Set(),
      sendResolved: false,
      repeatInterval: n.repeatInterval,
      now: this.clock.now(),
    });
    return reason === null;
  }

  /**
   * Called by delivery when `n` was given up (dead-lettered). Alertmanager does not log a failed
   * notification, so the next flush tries again; here the given-up sequence is recorded (the next flush
   * takes a new one: a new job, a new Idempotency-Key) and the half is put back on the due index
   * `group_interval` from `now` — the firing half is there already, the recovery half is not (its
   * resolved alerts stay until a resolution is delivered). The dead letter stays for inspection.
   */
  async failed(n: OutgoingNotification, now: number): Promise<void> {
    await this.flush.markFailed(n.record, n.seq, n.logTtl);
    if (n.state === 'recovery') {
      await this.flush.schedule({
        tenant: n.tenant,
        groupId: n.groupId,
        state: 'recovery',
        dueAt: now + n.groupInterval,
      });
    }
  }
}
