import type { Clock } from '../clock';
import type { FlushStore } from '../flush.store';
import type { GroupStore } from '../group.store';
import { needsUpdate, receiverView, type NflogEntry, type NflogWriteResult } from '../nflog';
import type { ResolvedCleanup } from '../group.store';
import type { LoggedNotification } from './notification';

/** Hooks of the recorder (logging and metrics live in the app). */
export interface NflogRecorderHooks {
  /**
   * A log write was refused: `stale-fence` (a newer holder of the group lock wrote that half's entry:
   * this writer's lock had expired) or `stale-sequence` (logged already). Nothing is changed.
   */
  onRefused?(entry: NflogEntry, result: NflogWriteResult & { written: false }): void;
}

/**
 * The notification log's side of a flush and of delivery: writes what a flush decided (with the group
 * lock's fencing token), what a receiver accepted, and what was given up; answers the dedup check
 * delivery runs right before a send. Runs wherever the flush or the delivery does.
 */
export class NflogRecorder {
  constructor(
    private readonly flush: FlushStore,
    private readonly groups: GroupStore,
    private readonly clock: Clock,
    private readonly hooks: NflogRecorderHooks = {},
  ) {}

  /** Writes a log entry, fenced when the writer held the group lock; reports a refusal. */
  async write(entry: NflogEntry, ttlMs: number, fence: number | undefined): Promise<NflogWriteResult> {
    const res = await this.flush.writeLog(entry, ttlMs, fence);
    if (!res.written) this.hooks.onRefused?.(entry, res);
    return res;
  }

  /** Removes resolved alerts from a group (and the group when empty). */
  async cleanup(tenant: string, groupId: string, c: ResolvedCleanup, now: number): Promise<void> {
    await this.groups.removeAlerts(tenant, groupId, c, now);
  }

  /**
   * Called by delivery after a receiver accepted `n`: record it in the log, then clean up. A write the
   * fence refuses still cleans up: the resolved alerts were delivered either way.
   */
  async delivered(n: LoggedNotification): Promise<NflogWriteResult> {
    const res = await this.write(n.log.record, n.log.logTtl, n.log.fence);
    if (n.log.cleanup) await this.cleanup(n.tenant, n.groupId, n.log.cleanup, this.clock.now());
    return res;
  }

  /**
   * Alertmanager's dedup, run again right before the send (in Alertmanager it runs right before the
   * send, in the same goroutine): true when the receiver already got what `n` says from another
   * notification — this one or a newer one was delivered (`seq`), or, for the firing half, the log now
   * holds every alert of `n` as notified firing within `repeat_interval`. Two notifications of one
   * group can be queued at once when a Redis outage split what the nodes knew (one queued before the
   * outage on one node, one during it on another): whichever is delivered first makes the other moot.
   */
  async superseded(n: LoggedNotification): Promise<boolean> {
    const key = { tenant: n.tenant, groupId: n.groupId, receiver: n.receiver };
    // Only what the answer needs is read: a notification's own half, and the other half only for a
    // firing one whose half logged something older (every send runs this check; a group's first
    // notification — nothing logged — costs one read, not two).
    const own = await this.flush.readLog({ ...key, state: n.state });
    if (own && own.seq >= n.seq) return true;
    if (n.state !== 'firing' || !own) return false;
    const firing = own;
    const recovery = await this.flush.readLog({ ...key, state: 'recovery' });
    const view = receiverView(firing, recovery);
    const reason = needsUpdate({
      last: { firing: [...view.firing], resolved: [...view.resolved], timestamp: firing.timestamp },
      firing: new Set(n.log.record.firing),
      resolved: new Set(),
      sendResolved: false,
      repeatInterval: n.log.repeatInterval,
      now: this.clock.now(),
    });
    return reason === null;
  }

  /**
   * Called by delivery when `n` was given up (dead-lettered). Alertmanager does not log a failed
   * notification, so the next flush tries again; here the given-up sequence is recorded (the next flush
   * takes a new one: a new job, a new Idempotency-Key) and the half is put back on the due index
   * `group_interval` from now — the firing half is there already, the recovery half is not (its
   * resolved alerts stay until a resolution is delivered). The dead letter stays for inspection.
   */
  async failed(n: LoggedNotification): Promise<void> {
    await this.flush.markFailed(n.log.record, n.seq, n.log.logTtl);
    if (n.state === 'recovery') {
      await this.flush.schedule({
        tenant: n.tenant,
        groupId: n.groupId,
        state: 'recovery',
        dueAt: this.clock.now() + n.log.groupInterval,
      });
    }
  }
}
