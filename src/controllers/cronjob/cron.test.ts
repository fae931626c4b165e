import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronError, nextTime, parseCron, timesBetween } from './cron.js';

const t = (s: string) => Date.parse(s);
const iso = (n: number | undefined) => (n === undefined ? undefined : new Date(n).toISOString());

test('fields, steps, ranges, names and macros', () => {
  const s = parseCron('*/15 9-17 * JAN-MAR mon-fri');
  assert.deepEqual([...s.minute], [0, 15, 30, 45]);
  assert.deepEqual([...s.hour].length, 9);
  assert.deepEqual([...s.month], [1, 2, 3]);
  assert.deepEqual([...s.dow], [1, 2, 3, 4, 5]);
  assert.deepEqual([...parseCron('0 0 * * 7').dow], [0]);
  assert.equal(iso(nextTime(parseCron('@hourly'), t('2026-01-01T10:20:00Z'))), '2026-01-01T11:00:00.000Z');
  assert.throws(() => parseCron('* * * *'), CronError);
  assert.throws(() => parseCron('61 * * * *'), CronError);
  assert.throws(() => parseCron('TZ=UTC * * * * *'), /use timeZone/);
});

test('next times, day-of-month OR day-of-week, month ends', () => {
  assert.equal(iso(nextTime(parseCron('*/5 * * * *'), t('2026-01-01T10:02:30Z'))), '2026-01-01T10:05:00.000Z');
  // 2026-03-01 is a Sunday: "1st of month or Friday" matches Fri Feb 27 first.
  assert.equal(iso(nextTime(parseCron('0 12 1 * 5'), t('2026-02-26T13:00:00Z'))), '2026-02-27T12:00:00.000Z');
  assert.equal(iso(nextTime(parseCron('0 0 31 * *'), t('2026-04-01T00:00:00Z'))), '2026-05-31T00:00:00.000Z');
  assert.equal(iso(nextTime(parseCron('0 0 29 2 *'), t('2026-03-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
});

test('time zones (with DST) and missed-schedule counting', () => {
  // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
  assert.equal(iso(nextTime(parseCron('0 9 * * *'), t('2026-01-10T00:00:00Z'), 'America/New_York')), '2026-01-10T14:00:00.000Z');
  assert.equal(iso(nextTime(parseCron('0 9 * * *'), t('2026-07-10T00:00:00Z'), 'America/New_York')), '2026-07-10T13:00:00.000Z');
  const r = timesBetween(parseCron('* * * * *'), t('2026-01-01T00:00:00Z'), t('2026-01-01T03:00:00Z'), undefined, 100);
  assert.equal(r.tooMany, true);
  assert.equal(r.times.length, 100);
  assert.equal(iso(r.times[99]), '2026-01-01T03:00:00.000Z');
});
