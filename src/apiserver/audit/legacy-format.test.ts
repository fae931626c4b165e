// --audit-log-format=legacy lines as kube's audit.EventString prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, legacyLine, rfc3339Nano } from './legacy-format.js';

test('a full event and a failed-authentication event', () => {
  const ev = {
    auditID: 'a1',
    stage: 'ResponseComplete',
    sourceIPs: ['127.0.0.1', '10.0.0.1'],
    verb: 'create',
    user: { username: 'alice', groups: ['devs', 'system:authenticated'] },
    impersonatedUser: { username: 'bob' },
    userAgent: 'kubectl/v1.32.0',
    objectRef: { namespace: 'default' },
    requestURI: '/api/v1/namespaces/default/configmaps',
    responseStatus: { code: 201 },
    requestReceivedTimestamp: '2026-01-02T03:04:05.120000Z',
  };
  assert.equal(
    legacyLine(ev),
    '2026-01-02T03:04:05.12Z AUDIT: id="a1" stage="ResponseComplete" ip="127.0.0.1" method="create" user="alice" groups="\\"devs\\",\\"system:authenticated\\"" as="bob" asgroups="<lookup>" user-agent="kubectl/v1.32.0" namespace="default" uri="/api/v1/namespaces/default/configmaps" response="201"',
  );
  assert.equal(
    legacyLine({ auditID: 'a2', stage: 'RequestReceived', user: {}, verb: 'get', requestURI: '/version', requestReceivedTimestamp: '2026-01-02T03:04:05.000000Z' }),
    '2026-01-02T03:04:05Z AUDIT: id="a2" stage="RequestReceived" ip="<unknown>" method="get" user="<none>" groups="<none>" as="<self>" asgroups="<lookup>" user-agent="" namespace="<none>" uri="/version" response="<deferred>"',
  );
});

test("Go's quoting and time format", () => {
  assert.equal(goQuote('a"b\\\u0001\n'), '"a\\"b\\\\\\x01\\n"');
  assert.equal(rfc3339Nano('2026-01-02T03:04:05.000100Z'), '2026-01-02T03:04:05.0001Z');
});
