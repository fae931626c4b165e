// keelson's apiserver, programmatically: `startApiServer(opts)` opens the store (embedded, a
// real etcd, or one passed in), registers every built-in kind, repairs service allocations,
// bootstraps the system namespaces and the `kubernetes` Service, serves HTTP, and writes
// <dataDir>/admin.kubeconfig. TLS on the secure port with the cluster's certificates (serving.ts);
// plain HTTP only on the optional loopback debugging port (--insecure-port).
import { createServer, type Server, type RequestListener } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import type { Store } from '../storage/store.js';
import { openMvccStore } from '../storage/mvcc/index.js';
import { openEtcdStore } from '../storage/etcd-client/index.js';
import { builtinStrategies } from './registry/all.js';
import { Resources } from './resources.js';
import { createRequestHandler, type FrontState } from './server.js';
import { serveUpgrades } from './upgrade.js';
import { LoopbackListener } from './loopback.js';
import { MaxInflight } from './filters/max-inflight.js';
import type { Pipeline } from './filters/pipeline.js';
import { setupAuthorization } from '../auth/authz/setup.js';
import { advertiseAddress, servingConfig } from './serving.js';
import { buildAuthenticators } from './authentication.js';
import { tokenAuthenticators } from '../auth/authn/token-authenticators.js';
import { admissionChain } from './admission/index.js';
import { defaultOptions, type ApiServerOptions } from './options.js';
import { bootstrap } from './bootstrap.js';
import { APIServiceRegistration } from './apiservice-registration.js';
import { ensureFlowControlConfig, startFlowControlConfig } from './flowcontrol-config.js';
import { IPAllocator } from './registry/core/services/ip-allocator.js';
import { PortAllocator } from './registry/core/services/port-allocator.js';
import { installServiceAllocation, repairAllocations } from './registry/core/services/allocation.js';
import { CrdRegistrar } from './crd/registrar.js';
import { OpenApiService } from './openapi/index.js';
import { setProtobufDecoder } from './negotiation.js';
import { decodeKubernetesProtobuf } from '../api/protobuf/decode.js';
import { startCompactor } from './compactor.js';
import { mergeKubeconfig, writeKubeconfig } from '../auth/pki/kubeconfig-file.js';
import { homedir } from 'node:os';
import { readFileSync } from 'node:fs';
import { logger } from '../util/log.js';
import { EncryptionAtRest } from './encryption/at-rest.js';
import { Auditor } from './audit/auditor.js';
import { defaultComponentChecks, type ComponentChecks } from './registry/core/componentstatuses/checks.js';

const log = logger('apiserver');

export interface StartOptions extends Partial<ApiServerOptions> {
  /** Use this store instead of opening one (not closed by close()). */
  store?: Store;
  signal?: AbortSignal;
  /** Extra pipeline parts (the security issue's authenticators, authorizer, admission). */
  pipeline?: Partial<Pipeline>;
}

export interface ApiServer {
  /** https://host:port of the secure port. */
  url: string;
  port: number;
  /** http://127.0.0.1:port of the debugging port (--insecure-port), if any. */
  insecureUrl?: string;
  /** The cluster CA certificate (PEM) clients verify the server with, when generated. */
  caCert?: string;
  /** The cluster PKI directory (<data-dir>/pki) when the certificates were generated. */
  pkiDir?: string;
  ready: Promise<void>;
  resources: Resources;
  store: Store;
  kubeconfigPath?: string;
  /** Connections from components of this process (`keelson server`): the same API without the
   * socket and TLS (loopback.ts). */
  loopback: LoopbackListener;
  /** The checks behind `kubectl get componentstatuses`; `keelson server` replaces the scheduler's
   * and controller manager's with in-process ones. */
  componentStatuses: ComponentChecks;
  close(): Promise<void>;
}

async function openStore(o: ApiServerOptions): Promise<Store> {
  if (o.etcdServers.length) return openEtcdStore({ endpoints: o.etcdServers, ca: o.etcdCaFile, cert: o.etcdCertFile, key: o.etcdKeyFile });
  return openMvccStore({ dataDir: join(o.dataDir, 'store') });
}

export async function startApiServer(opts: StartOptions = {}): Promise<ApiServer> {
  const o: ApiServerOptions = { ...defaultOptions, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as ApiServerOptions;
  const ownStore = !opts.store;
  // Encryption at rest (--encryption-provider-config): a bad file stops the start before the store opens.
  const encryption = o.encryptionProviderConfig ? EncryptionAtRest.fromFile(o.encryptionProviderConfig) : undefined;
  // Audit (--audit-policy-file + --audit-log-path): a bad policy stops the start too.
  const audit = opts.pipeline?.audit ?? Auditor.fromOptions(o);
  const rawStore = opts.store ?? (await openStore(o));
  const store = encryption ? encryption.wrap(rawStore) : rawStore;
  const ac = new AbortController();
  opts.signal?.addEventListener('abort', () => void api.close());
  setProtobufDecoder((b) => decodeKubernetesProtobuf(b));

  const resources = new Resources(store, { watchCache: o.watchCache, consistentReadsFromCache: !o.etcdServers.length });
  for (const s of builtinStrategies) resources.add(s, { silent: true });
  encryption?.bind(resources);

  const ips = new IPAllocator(o.serviceClusterIPRange);
  const ports = new PortAllocator(o.serviceNodePortRange);
  const services = resources.storeFor('', 'services');
  let allocation: { flush(): Promise<void> } | undefined;
  if (services) {
    await repairAllocations(store, services, { ips, ports });
    allocation = installServiceAllocation(store, services, { ips, ports });
  }

  const openapi = new OpenApiService(builtinStrategies);
  const serving = await servingConfig(o, ips.first);
  const authorization = setupAuthorization(o.authorizationMode, resources, opts.pipeline?.authorizer);
  const pipeline: Pipeline = {
    authenticators: opts.pipeline?.authenticators ?? buildAuthenticators(o, tokenAuthenticators(o, resources)),
    anonymous: opts.pipeline?.anonymous ?? o.anonymousAuth,
    authorizer: authorization.authorizer,
    audit,
    admission: [...admissionChain(resources, { enable: o.enableAdmissionPlugins, disable: o.disableAdmissionPlugins, configFile: o.admissionControlConfigFile }), ...(opts.pipeline?.admission ?? [])],
  };
  let bootstrapped = false;
  const state: FrontState = {
    resources,
    pipeline,
    now: () => new Date(),
    watchTimeout: [o.minRequestTimeout, o.minRequestTimeout * 2],
    bookmarkIntervalMs: o.bookmarkIntervalMs,
    kubeletClient: {
      cert: o.kubeletClientCertificate ? readFileSync(o.kubeletClientCertificate, 'utf8') : serving.pki?.apiserverKubeletClient.cert,
      key: o.kubeletClientKey ? readFileSync(o.kubeletClientKey, 'utf8') : serving.pki?.apiserverKubeletClient.key,
      ca: o.kubeletCertificateAuthority ? readFileSync(o.kubeletCertificateAuthority, 'utf8') : undefined,
    },
    inflight: new MaxInflight({ readonly: o.maxRequestsInflight, mutating: o.maxMutatingRequestsInflight }),
    openapi,
    serverAddress: '',
    healthChecks: [
      { name: 'ping', check: async () => {} },
      { name: 'log', check: async () => {} },
      { name: 'etcd', check: async () => void (await store.range({ key: Buffer.from('/registry/health') })) },
      { name: 'poststarthook/start-apiextensions-controllers', check: async () => {} },
      { name: 'poststarthook/bootstrap-controller', check: async () => { if (!bootstrapped) throw new Error('not finished'); } },
    ],
    readyChecks: [],
    componentStatuses: defaultComponentChecks({
      storeProbe: () => store.range({ key: Buffer.from('/registry/health') }),
      etcdServers: o.etcdServers,
      etcdTls: { ca: o.etcdCaFile ? readFileSync(o.etcdCaFile) : undefined, cert: o.etcdCertFile ? readFileSync(o.etcdCertFile) : undefined, key: o.etcdKeyFile ? readFileSync(o.etcdKeyFile) : undefined },
    }),
  };
  state.readyChecks = [...state.healthChecks, { name: 'shutdown', check: async () => { if (ac.signal.aborted) throw new Error('shutting down'); } }];

  const sockets = new Set<Socket | Duplex>();
  const track = (s: Socket | Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const servers: Server[] = [];
  const serve = async (server: Server, handler: RequestListener, port: number, address: string): Promise<number> => {
    serveUpgrades(server, handler);
    // Idle keep-alive connections stay open well beyond Node's 5 s default, so clients reusing a
    // connection do not race with its close (kept below headersTimeout, as Node requires).
    server.keepAliveTimeout = 55_000;
    server.on('connection', track);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    servers.push(server);
    return (server.address() as AddressInfo).port;
  };
  const httpOptions = { keepAlive: true, requestTimeout: 0, headersTimeout: 60_000 };
  const handler = createRequestHandler(state);
  // The client certificate is asked for, not required: its verification result is the x509
  // authenticator's to judge (401 for a bad one), so token and anonymous requests still work.
  const tlsServer = createTlsServer({ ...httpOptions, cert: serving.cert, key: serving.key, ca: serving.clientCa, requestCert: true, rejectUnauthorized: false }, handler) as unknown as Server;
  const port = await serve(tlsServer, handler, o.securePort, o.bindAddress);
  const loopback = new LoopbackListener(handler, serving.clientCa, track);
  const host = o.bindAddress === '0.0.0.0' ? '127.0.0.1' : o.bindAddress === '::' ? '::1' : o.bindAddress;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.serverAddress = `${host}:${port}`;
  let insecureUrl: string | undefined;
  if (o.insecurePort) {
    const insecureHandler = createRequestHandler({ ...state, insecure: true });
    const p = await serve(createServer(httpOptions, insecureHandler), insecureHandler, o.insecurePort, '127.0.0.1');
    insecureUrl = `http://127.0.0.1:${p}`;
  }

  const crds = resources.storeFor('apiextensions.k8s.io', 'customresourcedefinitions');
  const registrar = crds ? new CrdRegistrar(store, resources, crds, openapi) : undefined;

  let closed = false;
  const api: ApiServer = {
    url,
    port,
    insecureUrl,
    caCert: serving.serverCa,
    pkiDir: serving.pki?.dir,
    resources,
    store,
    componentStatuses: state.componentStatuses!,
    loopback,
    ready: Promise.resolve(),
    async close() {
      if (closed) return;
      closed = true;
      ac.abort();
      registrar?.stop();
      authorization.stop();
      resources.close();
      loopback.close();
      const closing = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      for (const s of sockets) s.destroy();
      await Promise.all(closing);
      await allocation?.flush();
      await audit?.close?.();
      if (ownStore) await store.close();
    },
  };
  api.ready = (async () => {
    await bootstrap(resources, { serviceIP: ips.first, advertiseAddress: advertiseAddress(o), port });
    await authorization.start();
    await registrar?.start();
    bootstrapped = true;
  })();
  await api.ready;
  // The API Priority and Fairness objects and the Local APIServices are written right after
  // start-up, not before /readyz (kube gates readiness on their post-start hooks): nothing in
  // keelson reads them (no APF request scheduling, no aggregation), and on a fresh store they
  // would add some 0.1 s to every first start.
  void ensureFlowControlConfig(resources).catch((e) => log.warn({ err: e }, 'flowcontrol configuration not ensured'));
  void new APIServiceRegistration(resources).start(ac.signal).catch((e) => log.warn({ err: e }, 'apiservices not registered'));
  startCompactor(store, o.compactionIntervalSeconds, ac.signal);
  startFlowControlConfig(resources, ac.signal);
  if (o.writeKubeconfig && (o.writeKubeconfigPath || o.dataDir)) {
    api.kubeconfigPath = o.writeKubeconfigPath ?? join(o.dataDir, 'admin.kubeconfig');
    const spec = {
      server: url,
      clusterName: 'keelson',
      userName: 'keelson-admin',
      contextName: 'keelson',
      caCert: serving.serverCa,
      clientCert: serving.pki?.admin.cert,
      clientKey: serving.pki?.admin.key,
    };
    writeKubeconfig(api.kubeconfigPath, spec);
    if (o.mergeKubeconfig) {
      const target = process.env.KUBECONFIG?.split(':').find(Boolean) ?? join(homedir(), '.kube', 'config');
      mergeKubeconfig(target, spec);
      log.info({ kubeconfig: target }, 'merged the admin credentials into the kubeconfig (context "keelson")');
    }
  }
  log.info({ url, store: o.etcdServers.length ? o.etcdServers.join(',') : 'embedded' }, 'apiserver ready');
  return api;
}

export type { ApiServerOptions };
