// Cron schedules as the CronJob API accepts them (robfig/cron's standard parser): five fields
// (minute hour day-of-month month day-of-week) with lists, ranges, steps, names and '?', or a
// descriptor (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <d>).
// parseSchedule returns the sets of allowed values; nextScheduleTime finds the next match.

export interface Schedule {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  /** Whether day-of-month / day-of-week was '*' or '?' (cron's OR rule when both are restricted). */
  domStar: boolean;
  dowStar: boolean;
  /** @every: a fixed interval in ms instead of fields. */
  everyMs?: number;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}
const months: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const days: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const bounds: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: days },
];

function parseInt10(s: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function parseValue(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  return named !== undefined ? named : parseInt10(s);
}

function parseField(field: string, b: Bounds): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const expr of field.split(',')) {
    const [rangePart, stepPart, extra] = expr.split('/');
    if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
    let lo: number;
    let hi: number;
    if (rangePart === '*' || rangePart === '?') {
      lo = b.min;
      hi = b.max;
      if (stepPart === undefined) star = true;
    } else {
      const lh = rangePart.split('-');
      if (lh.length > 2) throw new Error(`too many hyphens: ${expr}`);
      lo = parseValue(lh[0], b);
      hi = lh.length === 2 ? parseValue(lh[1], b) : lo;
      if (stepPart !== undefined && lh.length === 1) hi = b.max;
    }
    const step = stepPart === undefined ? 1 : parseInt10(stepPart);
    if (lo < b.min) throw new Error(`beginning of range (${lo}) below minimum (${b.min}): ${expr}`);
    if (hi > b.max) throw new Error(`end of range (${hi}) above maximum (${b.max}): ${expr}`);
    if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${expr}`);
    if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

const all = (b: Bounds): Set<number> => new Set(Array.from({ length: b.max - b.min + 1 }, (_, i) => b.min + i));

function parseGoDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * unit[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== s.length || s.length === 0) throw new Error(`failed to parse duration @every ${s}: time: invalid duration "${s}"`);
  return total;
}

/** Parses a schedule; throws an Error with robfig/cron's message when invalid. */
export function parseSchedule(spec: string): Schedule {
  const s = spec.trim();
  if (s.length === 0) throw new Error('empty spec string');
  if (s.startsWith('@')) {
    const descriptors: Record<string, string> = {
      '@yearly': '0 0 1 1 *',
      '@annually': '0 0 1 1 *',
      '@monthly': '0 0 1 * *',
      '@weekly': '0 0 * * 0',
      '@daily': '0 0 * * *',
      '@midnight': '0 0 * * *',
      '@hourly': '0 * * * *',
    };
    if (descriptors[s]) return parseSchedule(descriptors[s]);
    if (s.startsWith('@every ')) {
      const ms = parseGoDuration(s.slice(7).trim());
      const sched = parseSchedule('* * * * *');
      sched.everyMs = Math.max(1000, Math.floor(ms / 1000) * 1000);
      return sched;
    }
    throw new Error(`unrecognized descriptor: ${s}`);
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const parsed = fields.map((f, i) => parseField(f, bounds[i]));
  const dow = parsed[4].set;
  if (dow.has(7)) dow.add(0);
  return { minute: parsed[0].set, hour: parsed[1].set, dom: parsed[2].set, month: parsed[3].set, dow, domStar: parsed[2].star, dowStar: parsed[4].star };
}

/** The first wall-clock time (a Date whose UTC fields are local fields) strictly after `after`. */
function nextWallTime(sched: Schedule, after: Date): Date | undefined {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!sched.month.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    const domOk = sched.dom.has(t.getUTCDate());
    const dowOk = sched.dow.has(t.getUTCDay());
    const dayOk = sched.domStar || sched.dowStar ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!sched.hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!sched.minute.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  return undefined;
}

/** Offset of `timeZone` (IANA name) from UTC at `instant`, in ms; 0 for UTC or none. */
export function tzOffset(timeZone: string | undefined, instant: number): number {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  const dtf = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const p = Object.fromEntries(dtf.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The first scheduled instant strictly after `after`, with the fields read in `timeZone` (the
 * CronJob's spec.timeZone; UTC when absent), within ~5 years, or undefined.
 */
export function nextScheduleTime(sched: Schedule, after: Date, timeZone?: string): Date | undefined {
  if (sched.everyMs) return new Date(after.getTime() + sched.everyMs);
  let wall = new Date(after.getTime() + tzOffset(timeZone, after.getTime()));
  for (let i = 0; i < 4; i++) {
    const next = nextWallTime(sched, wall);
    if (!next) return undefined;
    const w = next.getTime();
    const instant = w - tzOffset(timeZone, w - tzOffset(timeZone, w));
    if (instant > after.getTime()) return new Date(instant);
    wall = next; // a wall time repeated by a DST change: look further
  }
  return undefined;
}

/** Scheduled instants in (from, to], at most `max` (the most recent kept), and whether more were missed. */
export function scheduledTimesBetween(sched: Schedule, from: number, to: number, timeZone: string | undefined, max = 100): { times: number[]; tooMany: boolean } {
  const times: number[] = [];
  let tooMany = false;
  for (let t = nextScheduleTime(sched, new Date(from), timeZone); t && t.getTime() <= to; t = nextScheduleTime(sched, t, timeZone)) {
    times.push(t.getTime());
    if (times.length > max) {
      times.shift();
      tooMany = true;
    }
  }
  return { times, tooMany };
}

export { all as allValues };
