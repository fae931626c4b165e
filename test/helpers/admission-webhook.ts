// A test admission webhook: HTTPS on 127.0.0.1 with a certificate from a fresh CA (names
// 127.0.0.1 and hook.default.svc). Paths: /deny refuses with a message, /label adds the label
// admitted=yes with a JSONPatch, /allow admits, /slow never answers, /bad-uid answers another
// uid. Every AdmissionReview received is kept.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, issueCert } from '../../src/auth/pki/certs.js';
import type { KObject } from '../../src/apiserver/registry/strategy.js';

export interface TestWebhook {
  port: number;
  url: (path: string) => string;
  caBundle: string;
  reviews: KObject[];
  close(): Promise<void>;
}

export async function startTestWebhook(): Promise<TestWebhook> {
  const ca = await createCA('webhook-ca');
  const cert = await issueCert(ca, { commonName: 'hook.default.svc', hosts: ['127.0.0.1', 'hook.default.svc'], usage: 'server' });
  const reviews: KObject[] = [];
  const server: Server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      reviews.push({ ...review, path: req.url });
      const uid = review.request.uid;
      const path = (req.url ?? '').split('?')[0];
      const answer = (response: KObject) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, ...response } }));
      };
      if (path === '/slow') return;
      if (path === '/deny') return answer({ allowed: false, status: { code: 403, message: `no ${review.request.resource.resource} named ${review.request.name}` } });
      if (path === '/bad-uid') return answer({ uid: 'other', allowed: true });
      if (path === '/label') {
        const labels = review.request.object?.metadata?.labels;
        const patch = labels ? [{ op: 'add', path: '/metadata/labels/admitted', value: 'yes' }] : [{ op: 'add', path: '/metadata/labels', value: { admitted: 'yes' } }];
        return answer({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64'), warnings: ['labelled by the test webhook'] });
      }
      answer({ allowed: true });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `https://127.0.0.1:${port}${path}`,
    caBundle: Buffer.from(ca.cert).toString('base64'),
    reviews,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
