import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr, subnet, subnetIndex } from './cidr.js';

test('node subnets of a cluster CIDR', () => {
  const c = parseCidr('10.244.0.0/16');
  assert.equal(subnet(c, 24, 0), '10.244.0.0/24');
  assert.equal(subnet(c, 24, 255), '10.244.255.0/24');
  assert.equal(subnet(c, 24, 256), undefined);
  assert.equal(subnetIndex(c, 24, '10.244.7.0/24'), 7);
  assert.equal(subnetIndex(c, 24, '10.245.0.0/24'), -1);
  assert.throws(() => parseCidr('10.0.0.300/8'));
});
