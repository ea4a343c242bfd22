import type { Clock } from '../clock';
import type { ClaimedEntry, FlushStore } from '../flush.store';
import type { GroupStore } from '../group.store';
import { nflogTtl, type NflogKey } from '../nflog';
import { buildWebhookPayload } from '../webhook-payload';
import { createFlushContext } from './flush-context';
import { FlushPipeline, type SuppressionReason } from './flush-pipeline';
import type { NflogRecorder } from './nflog-recorder';
import type { GroupLock, Notifier, OutgoingNotification } from './notification';

/** What the runner needs to know of a receiver. */
export interface RunnerReceiver {
  name: string;
  sendResolved: boolean;
  /** False for a receiver without integrations: nothing to send, the flush is recorded at once. */
  deliverable: boolean;
  /**
   * Integration kinds of the receiver Herald cannot deliver (kept only with
   * `herald.allow_unsupported_receivers`): every notification they would have sent is reported.
   */
  unsupported?: readonly string[];
}

/** The runner's ports: where groups and the due index live, how it delivers, locks and tells time. */
export interface FlushRunnerPorts {
  groups: GroupStore;
  flush: FlushStore;
  notifier: Notifier;
  lock: GroupLock;
  clock: Clock;
  recorder: NflogRecorder;
  /** Filtering and dedup stages (default: Alertmanager's order, muting nothing). */
  pipeline?: FlushPipeline;
}

export interface FlushRunnerOptions {
  nodeId: string;
  externalURL: string;
  /** How long a claim is leased before another node may take it over (ms). */
  leaseMs: number;
  /** Entries claimed per bucket per tick. */
  claimLimit: number;
  /**
   * How soon to look again at a bucket whose claim found nothing though its head was due (another
   * node claimed it, or the head is a member still under lease), or whose entries all found their
   * group lock busy (ms; the scheduler tick).
   */
  retryMs?: number;
  /**
   * How often the lease expiries are read (ms; default a third of `leaseMs`, or ten leases when the
   * store's due heads include them — `FlushStore.dueHeadsIncludeLeases` — and the read only finds
   * leases written without that): a lease only comes due when its claimer crashed, so the due index
   * alone is read in between (half the commands). Leases this node took and did not complete (a flush
   * that threw) are known without a read.
   */
  leaseCheckMs?: number;
  /** Flushes run at once by one node. */
  concurrency: number;
  receivers: ReadonlyMap<string, RunnerReceiver>;
  /** Told about a flush that failed (its lease lapses and it is retried). */
  onError?: (entry: ClaimedEntry, err: unknown) => void;
  /** Told about every notification a receiver's unsupported integration kinds did not send. */
  onUnsupported?: (n: OutgoingNotification, kinds: readonly string[]) => void;
}

export interface TickResult {
  claimed: number;
  notified: number;
  skipped: number;
  failed: number;
  /** Alerts the filtering stages took out of this tick's flushes, by reason (Alertmanager's names). */
  suppressed: Partial<Record<SuppressionReason, number>>;
  /**
   * When the next tick has something to claim, as far as this tick learned (the due index's heads it
   * read, the due times its flushes set; now after a tick that flushed, so the next one reads the heads
   * its claims moved): absent when nothing is known due — the scheduler's periodic look finds what
   * other nodes schedule.
   */
  nextDueAt?: number;
}

/**
 * One scheduler tick (Alertmanager's dispatcher flushing aggregation groups, shared by every node):
 * claim due group halves from every bucket (atomic, with a lease), take the group lock, run the flush
 * pipeline with one clock reading, hand a notification to delivery, and reschedule. The notification
 * log is written by `NflogRecorder.delivered` after a receiver accepted, so a crash between enqueue and
 * delivery re-sends with the same sequence number (same delivery job id, same Idempotency-Key).
 */
export class FlushRunner {
  private readonly pipeline: FlushPipeline;
  private tickNo = 0;
  /** Earliest lease expiry per bucket as last read or left by a failed flush here (null: none). */
  private leaseHeads: (number | null)[] = [];
  private leasesReadAt = -Infinity;

  constructor(
    private readonly ports: FlushRunnerPorts,
    private readonly opts: FlushRunnerOptions,
  ) {
    this.pipeline = ports.pipeline ?? new FlushPipeline();
  }

  async tick(): Promise<TickResult> {
    const { flush, clock } = this.ports;
    const owner = `${this.opts.nodeId}#${++this.tickNo}`;
    const res: TickResult = { claimed: 0, notified: 0, skipped: 0, failed: 0, suppressed: {} };
    const now = clock.now();
    const retryAt = now + (this.opts.retryMs ?? 250);
    // Only buckets with something due are claimed (a claim is a script call; the heads one round trip).
    const heads = await flush.peekDue({ leases: false });
    const leaseCheckMs =
      this.opts.leaseCheckMs ??
      (flush.dueHeadsIncludeLeases ? this.opts.leaseMs * 10 : this.opts.leaseMs / 3);
    if (now >= this.leasesReadAt + leaseCheckMs) {
      this.leaseHeads = await flush.peekDue({ due: false });
      this.leasesReadAt = now;
    }
    this.leaseHeads.forEach((lease, b) => {
      if (lease !== null) heads[b] = Math.min(heads[b] ?? Infinity, lease);
    });
    let next = Infinity;
    const due: number[] = [];
    heads.forEach((head, b) => {
      if (head === null) return;
      if (head > now) next = Math.min(next, head);
      else due.push(b);
    });
    const claim = { leaseMs: this.opts.leaseMs, owner, limit: this.opts.claimLimit };
    const perBucket = await Promise.all(due.map((b) => flush.claimDue(b, now, claim)));
    // A claim takes lapsed leases first: what is known of a claimed bucket's leases is stale now.
    for (const b of due) {
      if ((this.leaseHeads[b] ?? Infinity) <= now) this.leasesReadAt = -Infinity;
    }
    // A due head nothing was claimed of: claimed elsewhere, or still leased (ingest re-added it).
    if (perBucket.some((c) => c.length === 0)) next = Math.min(next, retryAt);
    const claimed = perBucket.flat();
    res.claimed = claimed.length;
    let handedBack = 0;
    let i = 0;
    const worker = async () => {
      while (i < claimed.length) {
        const entry = claimed[i++];
        try {
          const out = await this.flushOne(entry, res.suppressed);
          if (out === 'notified') res.notified++;
          else res.skipped++;
          if (out === 'busy') handedBack++;
        } catch (e) {
          // The lease lapses and another tick (here or on another node) takes the entry again.
          res.failed++;
          this.leaseHeads[entry.bucket] = Math.min(
            this.leaseHeads[entry.bucket] ?? Infinity,
            entry.leaseUntil,
          );
          this.opts.onError?.(entry, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, claimed.length) }, worker));
    // A tick that flushed is followed at once by one that reads the heads again (its claims moved them,
    // a full bucket has more); entries it could only hand back (group lock busy) wait for the retry.
    if (claimed.length > handedBack + res.failed) next = now;
    else if (handedBack > 0) next = Math.min(next, retryAt);
    if (next !== Infinity) res.nextDueAt = next;
    return res;
  }

  private async flushOne(
    entry: ClaimedEntry,
    suppressed: TickResult['suppressed'],
  ): Promise<'notified' | 'skipped' | 'busy'> {
    let outcome: 'notified' | 'skipped' = 'skipped';
    const got = await this.ports.lock.withLock(entry.tenant, entry.groupId, async (fence) => {
      outcome = await this.flushLocked(entry, fence, suppressed);
    });
    if (!got) {
      // The other half of the group (or another node) holds the group lock: hand the entry back to
      // the due index for the next tick instead of letting its lease run out.
      await this.ports.flush.complete(entry, Math.max(entry.dueAt, this.ports.clock.now()));
    }
    return got ? outcome : 'busy';
  }

  private async flushLocked(
    entry: ClaimedEntry,
    fence: number | undefined,
    suppressed: TickResult['suppressed'],
  ): Promise<'notified' | 'skipped'> {
    const { groups, flush, recorder, notifier } = this.ports;
    const logsOf = (receiver: string) => {
      const key = { tenant: entry.tenant, groupId: entry.groupId, receiver };
      return Promise.all([
        flush.readLogState({ ...key, state: 'firing' }),
        flush.readLogState({ ...key, state: 'recovery' }),
      ]);
    };
    const reading = groups.getGroup(entry.tenant, entry.groupId);
    // The log is keyed by the group's receiver: read beside the group when this node knows it (one
    // round trip, not two), after it otherwise — or when the hint was wrong.
    const hint = groups.receiverHint?.(entry.tenant, entry.groupId);
    const early = hint === undefined ? undefined : logsOf(hint);
    early?.catch(() => undefined); // awaited below, unless the group is gone or the hint was wrong
    const group = await reading;
    if (!group) {
      await flush.complete(entry, null); // expired or deleted: drop its due entry
      return 'skipped';
    }
    const rc = this.opts.receivers.get(group.receiver) ?? {
      name: group.receiver,
      sendResolved: true,
      deliverable: false,
    };
    const [firingLog, recoveryLog] = await (early && hint === rc.name ? early : logsOf(rc.name));
    const own = entry.state === 'firing' ? firingLog : recoveryLog;
    const ctx = createFlushContext(this.ports.clock, {
      tenant: entry.tenant,
      group,
      receiver: { name: rc.name, sendResolved: rc.sendResolved },
      state: entry.state,
      log: { firing: firingLog.entry, recovery: recoveryLog.entry },
      failedSeq: own.failedSeq,
      pendingSeq: own.pendingSeq,
      firingInFlight: firingLog.pendingSeq > Math.max(firingLog.entry?.seq ?? 0, firingLog.failedSeq),
    });
    const d = await this.pipeline.run(ctx);
    for (const [reason, n] of Object.entries(d.suppressed ?? {}) as [SuppressionReason, number][])
      suppressed[reason] = (suppressed[reason] ?? 0) + n;
    const ttl = nflogTtl(group.repeatInterval);
    let nextDueAt = d.nextDueAt;
    let pending: { key: NflogKey; seq: number } | undefined;
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
          maxAlerts: 0, // every alert: each integration applies its own max_alerts
          now: ctx.now,
        }),
        log: {
          record: d.record,
          logTtl: ttl,
          cleanup: d.cleanup,
          groupInterval: group.groupInterval,
          repeatInterval: group.repeatInterval,
          ...(fence === undefined ? {} : { fence }),
        },
      };
      if (rc.unsupported?.length) this.opts.onUnsupported?.(n, rc.unsupported);
      if (!rc.deliverable) {
        await recorder.delivered(n); // nothing to send: the flush counts as done
      } else {
        const r = await notifier.enqueue(n);
        if (r === 'delivered') {
          await recorder.delivered(n); // delivered before, but the log write was lost (crash): record it now
        } else if (r === 'queued' || r === 'pending') {
          pending = { key: d.record, seq: d.seq }; // marked with the completion below
        } else if (r === 'dead') {
          // This sequence was given up (and its dead-letter listener did not get to record it): mark
          // it, and flush again at the next tick under a new sequence instead of waiting on a dead job.
          await flush.markFailed(d.record, d.seq, ttl);
          nextDueAt = ctx.now;
        }
      }
    } else {
      if (d.record) await recorder.write(d.record, ttl, fence);
      if (d.cleanup) await recorder.cleanup(entry.tenant, entry.groupId, d.cleanup, ctx.now);
    }
    if (d.scheduleRecovery) {
      await flush.schedule({
        tenant: entry.tenant,
        groupId: entry.groupId,
        state: 'recovery',
        dueAt: ctx.now,
      });
    }
    const deleted = d.cleanup?.deleteGroup && !d.notify;
    // A parked half (d.nextTickAt) that ingest put back meanwhile flushes at the next tick instead.
    const tick = nextDueAt === d.nextDueAt ? d.nextTickAt : undefined;
    // The pending mark and the completion go out together (one round trip, not two). Both run under the
    // group lock, released only once both answered (settled, even when one failed): no other flush of the
    // group runs between them.
    const settled = await Promise.allSettled([
      pending && flush.markPending(pending.key, pending.seq, ttl),
      flush.complete(entry, deleted ? null : nextDueAt, tick),
    ]);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    return d.notify ? 'notified' : 'skipped';
  }
}
