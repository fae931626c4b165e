// Backend quota and alarms, as etcd: a write that would grow the backend past
// quotaBackendBytes raises the NOSPACE alarm and fails with ErrNoSpace; while the alarm is
// active, puts, writing txns with puts and lease grants fail (deletes and reads work); the alarm
// is persisted and stays until disarmed (etcdctl alarm disarm).
import type { AlarmMember, AlarmType } from '../store.js';
import { storeError } from '../errors.js';
import type { MvccStore } from './kv-store.js';

const ALARM_META = 'alarm';

export class Quota {
  private active = new Set<AlarmType>();
  /** Backend high-water mark at the last commit. */
  private size = 0;

  constructor(private readonly s: MvccStore) {}

  load(): void {
    const b = this.s.be.meta.getBinary(Buffer.from(ALARM_META));
    if (b && b.length > 0 && b[0] === 1) this.active.add('NOSPACE');
    this.committed();
  }

  /** Refresh the size after a commit. */
  committed(): void {
    this.size = this.s.be.highWater();
    this.s.be.pendingBytes = 0;
  }

  /** Estimated backend size including writes not yet committed. */
  estimate(): number {
    return this.size + this.s.be.pendingBytes;
  }

  /** Refuse a write costing `cost` bytes when the alarm is on or it would pass the quota. */
  check(cost: number): void {
    if (this.active.has('NOSPACE')) throw storeError('NoSpace');
    if (this.estimate() + cost >= this.s.opts.quotaBackendBytes) {
      this.raise();
      throw storeError('NoSpace');
    }
  }

  /** Lease grants are refused while NOSPACE is active (etcd's capped applier). */
  checkAlarm(): void {
    if (this.active.has('NOSPACE')) throw storeError('NoSpace');
  }

  raise(): void {
    if (this.active.has('NOSPACE')) return;
    this.active.add('NOSPACE');
    this.s.be.setMeta(ALARM_META, Buffer.from([1]));
  }

  alarms(): AlarmMember[] {
    return [...this.active].map((alarm) => ({ memberId: this.s.opts.memberId, alarm }));
  }

  /** Deactivate an alarm; answers the alarms deactivated (as etcd's AlarmResponse). */
  disarm(alarm: AlarmType): AlarmMember[] {
    if (!this.active.has(alarm)) return [];
    this.active.delete(alarm);
    if (alarm === 'NOSPACE') this.s.be.setMeta(ALARM_META, Buffer.from([0]));
    this.committed();
    return [{ memberId: this.s.opts.memberId, alarm }];
  }
}
