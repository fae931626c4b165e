import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, translateTimestampSince, shortHumanDuration } from './duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('humanDuration matches apimachinery', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-1 * s, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 20 * m, '3h20m'],
    [8 * h + 5 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [8 * d, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [760 * d, '2y30d'],
    [9 * 365 * d, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

test('shortHumanDuration uses one unit', () => {
  assert.equal(shortHumanDuration(90 * s), '1m');
  assert.equal(shortHumanDuration(25 * h), '1d');
});

test('translateTimestampSince', () => {
  const now = new Date('2024-01-01T00:10:00Z');
  assert.equal(translateTimestampSince('2024-01-01T00:05:00Z', now), '5m');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
});
