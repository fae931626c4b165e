import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, compareQuantities, milliValue, parseQuantity, quantity, quantityValue, addQuantities, subQuantities, formatQuantity, fromMilli, tryParseQuantity } from './quantity.js';

test('canonical forms match apimachinery', () => {
  const cases: [string, string][] = [
    ['0', '0'],
    ['0Mi', '0'],
    ['1', '1'],
    ['1000', '1k'],
    ['1200', '1200'],
    ['1.5', '1500m'],
    ['1500m', '1500m'],
    ['1000m', '1'],
    ['0.1', '100m'],
    ['100m', '100m'],
    ['.5', '500m'],
    ['5.', '5'],
    ['1k', '1k'],
    ['1M', '1M'],
    ['1G', '1G'],
    ['2E', '2E'],
    ['1Ki', '1Ki'],
    ['1024Ki', '1Mi'],
    ['1000Ki', '1000Ki'],
    ['1.5Gi', '1536Mi'],
    ['128Mi', '128Mi'],
    ['0.5Ki', '512'],
    ['1023', '1023'],
    ['1e3', '1e3'],
    ['1E3', '1e3'],
    ['12e2', '1200'],
    ['1e-3', '1e-3'],
    ['100e-3', '100e-3'],
    ['1n', '1n'],
    ['0.0000000001', '1n'],
    ['1.0000000001', '1000000001n'],
    ['1u', '1u'],
    ['-1500m', '-1500m'],
    ['+2', '2'],
    ['1Ei', '1Ei'],
    ['0.1Ki', '102400m'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, input);
});

test('malformed quantities are rejected with the Kubernetes message', () => {
  for (const bad of ['', 'abc', '1.2.3', '1KiB', '1mi', 'Mi', '.', '1 Gi', '-', '1e', '1ki']) {
    assert.throws(() => parseQuantity(bad), /quantities must match|suffix/, bad);
    assert.equal(tryParseQuantity(bad), undefined);
  }
  assert.throws(() => parseQuantity('x'), { message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" });
});

test('comparison, milli values and integer values round up', () => {
  assert.equal(compareQuantities(quantity('1'), quantity('1000m')), 0);
  assert.equal(compareQuantities(quantity('500m'), quantity('1')), -1);
  assert.equal(compareQuantities(quantity('1Gi'), quantity('1G')), 1);
  assert.equal(milliValue(quantity('250m')), 250);
  assert.equal(milliValue(quantity('2')), 2000);
  assert.equal(milliValue(quantity('1n')), 1);
  assert.equal(quantityValue(quantity('1500m')), 2);
  assert.equal(quantityValue(quantity('1Gi')), 1073741824);
  assert.equal(quantityValue(quantity(64)), 64);
});

test('arithmetic keeps the format of the first operand', () => {
  assert.equal(formatQuantity(addQuantities(quantity('1Gi'), quantity('512Mi'))), '1536Mi');
  assert.equal(formatQuantity(subQuantities(quantity('1'), quantity('250m'))), '750m');
  assert.equal(formatQuantity(fromMilli(1500)), '1500m');
});

test('parsed quantities are shared, frozen and still exact; malformed input still throws each time', () => {
  const a = parseQuantity('16Mi');
  const b = parseQuantity('16Mi');
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
  assert.equal(a.nano, 16n * 1024n * 1024n * 1_000_000_000n);
  assert.equal(formatQuantity(parseQuantity('1500m')), '1500m');
  for (let i = 0; i < 2; i++) assert.throws(() => parseQuantity('1.5.5'));
  // Past the memo's bound it is cleared, not wrong.
  for (let i = 0; i < 5000; i++) assert.equal(parseQuantity(`${i}m`).nano, BigInt(i) * 1_000_000n);
  assert.equal(parseQuantity('16Mi').nano, a.nano);
});
