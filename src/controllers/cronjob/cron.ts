// Cron schedules as CronJobs take them: five fields (minute hour day-of-month month
// day-of-week) with *, lists, ranges, steps (*/15, 1-30/5), month and weekday names, "?" as
// "*", and the macros @yearly @annually @monthly @weekly @daily @midnight @hourly. When both
// day fields are restricted, a day matches if either does (standard cron). Times are computed
// in the CronJob's spec.timeZone (IANA name) or the controller's zone (UTC here).

export interface Schedule {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  domStar: boolean;
  dowStar: boolean;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export class CronError extends Error {}

function field(spec: string, min: number, max: number, names?: string[], nameBase = 0): Set<number> {
  const out = new Set<number>();
  const num = (s: string) => {
    const i = names?.indexOf(s.toUpperCase()) ?? -1;
    const n = i >= 0 ? i + nameBase : /^\d+$/.test(s) ? Number(s) : NaN;
    if (Number.isNaN(n) || n < min || n > max) throw new CronError(`value "${s}" out of range [${min}, ${max}]`);
    return n;
  };
  for (const part of spec.split(',')) {
    const [range, stepS] = part.split('/');
    const step = stepS === undefined ? 1 : Number(stepS);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`invalid step "${stepS}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [num(a), num(b)];
      if (lo > hi) throw new CronError(`beginning of range (${lo}) beyond end of range (${hi}): ${range}`);
    } else {
      lo = num(range);
      hi = stepS === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expr: string): Schedule {
  const s = expr.trim();
  if (/^TZ=|^CRON_TZ=/.test(s)) throw new CronError('CRON_TZ or TZ is not supported in schedule, use timeZone');
  const text = MACROS[s.toLowerCase()] ?? s;
  const f = text.split(/\s+/);
  if (f.length !== 5) throw new CronError(`expected exactly 5 fields, found ${f.length}: ${expr}`);
  const dow = field(f[4], 0, 7, DAYS);
  if (dow.has(7)) {
    dow.delete(7);
    dow.add(0);
  }
  return {
    minute: field(f[0], 0, 59),
    hour: field(f[1], 0, 23),
    dom: field(f[2], 1, 31),
    month: field(f[3], 1, 12, MONTHS, 1),
    dow,
    domStar: f[2] === '*' || f[2] === '?',
    dowStar: f[4] === '*' || f[4] === '?',
  };
}

/** Offset of `timeZone` from UTC at `instant`, in ms. */
export function tzOffset(timeZone: string | undefined, instant: number): number {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  const dtf = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const p = Object.fromEntries(dtf.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Whether the IANA zone name is known to this runtime. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function dayMatches(s: Schedule, d: Date): boolean {
  const dom = s.dom.has(d.getUTCDate());
  const dow = s.dow.has(d.getUTCDay());
  if (s.domStar || s.dowStar) return dom && dow;
  return dom || dow;
}

/** The first scheduled time strictly after `after` (ms), or undefined within ~5 years. */
export function nextTime(s: Schedule, after: number, timeZone?: string): number | undefined {
  // Walk wall-clock time (a Date in "UTC" holding local fields), jumping by the coarsest field
  // that does not match.
  const off = tzOffset(timeZone, after);
  const w = new Date(Math.floor((after + off) / 60_000) * 60_000 + 60_000);
  const limit = w.getTime() + 5 * 366 * 86_400_000;
  while (w.getTime() < limit) {
    if (!s.month.has(w.getUTCMonth() + 1)) {
      w.setUTCMonth(w.getUTCMonth() + 1, 1);
      w.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, w)) {
      w.setUTCDate(w.getUTCDate() + 1);
      w.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hour.has(w.getUTCHours())) {
      w.setUTCHours(w.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minute.has(w.getUTCMinutes())) {
      w.setUTCMinutes(w.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    const wall = w.getTime();
    const instant = wall - tzOffset(timeZone, wall - tzOffset(timeZone, wall));
    if (instant > after) return instant;
    w.setUTCMinutes(w.getUTCMinutes() + 1, 0, 0);
  }
  return undefined;
}

/** Scheduled times in (from, to], at most `max` (the most recent ones kept), and whether more were missed. */
export function timesBetween(s: Schedule, from: number, to: number, timeZone: string | undefined, max = 100): { times: number[]; tooMany: boolean } {
  const times: number[] = [];
  let tooMany = false;
  for (let t = nextTime(s, from, timeZone); t !== undefined && t <= to; t = nextTime(s, t, timeZone)) {
    times.push(t);
    if (times.length > max) {
      times.shift();
      tooMany = true;
    }
  }
  return { times, tooMany };
}
