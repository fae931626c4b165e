import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitSchemeNamePort } from './proxy.js';

describe('splitSchemeNamePort (the proxy subresources\' [scheme:]name[:port])', () => {
  it('takes name, name:port and scheme:name:port', () => {
    assert.deepEqual(splitSchemeNamePort('web'), { scheme: '', name: 'web', port: '' });
    assert.deepEqual(splitSchemeNamePort('web:8080'), { scheme: '', name: 'web', port: '8080' });
    assert.deepEqual(splitSchemeNamePort('https:web:443'), { scheme: 'https', name: 'web', port: '443' });
    assert.deepEqual(splitSchemeNamePort('http:web:'), { scheme: 'http', name: 'web', port: '' });
  });
  it('refuses other schemes, empty names and too many parts', () => {
    for (const id of ['ftp:web:21', ':80', 'a:b:c:d', '']) assert.equal(splitSchemeNamePort(id), undefined, id);
  });
});
