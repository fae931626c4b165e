import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeParseError, canonicalTime, formatRFC3339, parseRFC3339 } from './rfc3339.js';

test('times come back as metav1.Time encodes them: UTC, whole seconds', () => {
  const cases: [string, string][] = [
    ['2026-11-23T11:20:56Z', '2026-11-23T11:20:56Z'],
    ['2026-11-23T11:20:56.365Z', '2026-11-23T11:20:56Z'],
    ['2026-11-23T11:20:56.999999999Z', '2026-11-23T11:20:56Z'],
    ['2026-11-23T12:20:56+01:00', '2026-11-23T11:20:56Z'],
    ['2026-11-23T00:20:56.5-02:30', '2026-11-23T02:50:56Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['2026-01-01T1:02:03Z', '2026-01-01T01:02:03Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalTime(input), want, input);
  assert.equal(formatRFC3339(parseRFC3339('1970-01-01T00:00:01.9Z')), '1970-01-01T00:00:01Z');
});

test("malformed times get Go's time.ParseError text", () => {
  const L = '"2006-01-02T15:04:05Z07:00"';
  const cases: [string, string][] = [
    ['yesterday', `parsing time "yesterday" as ${L}: cannot parse "yesterday" as "2006"`],
    ['2026-11-23', `parsing time "2026-11-23" as ${L}: cannot parse "" as "T"`],
    ['2026-11-23 11:20:56Z', `parsing time "2026-11-23 11:20:56Z" as ${L}: cannot parse " 11:20:56Z" as "T"`],
    ['2026-11-23T11:20:56', `parsing time "2026-11-23T11:20:56" as ${L}: cannot parse "" as "Z07:00"`],
    ['2026-11-23T11:20:56+0100', `parsing time "2026-11-23T11:20:56+0100" as ${L}: cannot parse "+0100" as "Z07:00"`],
    ['2026-13-01T00:00:00Z', 'parsing time "2026-13-01T00:00:00Z": month out of range'],
    ['2026-02-30T00:00:00Z', 'parsing time "2026-02-30T00:00:00Z": day out of range'],
    ['2026-01-01T25:00:00Z', 'parsing time "2026-01-01T25:00:00Z": hour out of range'],
    ['2026-01-01T00:00:00Zjunk', 'parsing time "2026-01-01T00:00:00Zjunk": extra text: "junk"'],
  ];
  for (const [input, want] of cases) assert.throws(() => canonicalTime(input), (e: Error) => e instanceof TimeParseError && e.message === want, input);
});
