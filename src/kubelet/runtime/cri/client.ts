// A CRI v1 gRPC client (the kubelet's remote runtime/image service): runtime-v1.proto loaded
// with @grpc/proto-loader, both services on one channel to `unix:///path/containerd.sock` (or
// any grpc-js address), each call a promise with a deadline. Messages use the proto's snake_case
// names, int64 as decimal strings and enums as their names (the options every keelson gRPC peer
// uses). The proto is read beside this module, or from the source tree when running from the
// bundle (dist/keelson.cjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_NAME = 'runtime-v1.proto';

function protoPath(): string {
  const candidates = [new URL(`./${PROTO_NAME}`, import.meta.url), new URL(`../src/kubelet/runtime/cri/${PROTO_NAME}`, import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`CRI proto ${PROTO_NAME} not found (looked in ${candidates.join(', ')})`);
  return found;
}

let loaded: { runtime: grpc.ServiceClientConstructor; image: grpc.ServiceClientConstructor } | undefined;

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const def = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: Record<string, grpc.ServiceClientConstructor> } };
  loaded = { runtime: pkg.runtime.v1.RuntimeService, image: pkg.runtime.v1.ImageService };
  return loaded;
}

/** A message as proto-loader hands it over / accepts it. */
export type Msg = Record<string, any>;

const codeNames = new Map(
  Object.entries(grpc.status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k === 'OK' ? 'OK' : k.split('_').map((w) => w[0] + w.slice(1).toLowerCase()).join('')]),
);

/** A CRI call failed: the gRPC status code and the runtime's message, worded as Go's grpc
 * status errors are (`rpc error: code = NotFound desc = ...`), which is what kubelet reports. */
export class CriError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`rpc error: code = ${codeNames.get(code) ?? code} desc = ${details}`);
  }
  get notFound(): boolean {
    return this.code === grpc.status.NOT_FOUND;
  }
}

/** Turns `unix:///run/x.sock`, `unix:/run/x.sock` or a bare socket path into a grpc-js target. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  return endpoint;
}

export class CriClient {
  private readonly rt: grpc.Client;
  private readonly img: grpc.Client;

  constructor(
    readonly endpoint: string,
    private readonly defaultTimeoutMs = 2 * 60_000,
  ) {
    const { runtime, image } = load();
    const target = grpcTarget(endpoint);
    const opts = { 'grpc.max_receive_message_length': 16 * 1024 * 1024 + 1024 };
    this.rt = new runtime(target, grpc.credentials.createInsecure(), opts);
    // Same target, same options: grpc-js shares the subchannel (one connection).
    this.img = new image(target, grpc.credentials.createInsecure(), opts);
  }

  private call(client: grpc.Client, method: string, req: Msg, timeoutMs?: number): Promise<Msg> {
    const deadline = new Date(Date.now() + (timeoutMs ?? this.defaultTimeoutMs));
    return new Promise((resolve, reject) => {
      (client as any)[method](req, { deadline }, (err: grpc.ServiceError | null, res: Msg) => {
        if (err) reject(new CriError(method, err.code, err.details || err.message));
        else resolve(res);
      });
    });
  }

  /** RuntimeService.<method>. */
  runtime(method: string, req: Msg = {}, timeoutMs?: number): Promise<Msg> {
    return this.call(this.rt, method, req, timeoutMs);
  }

  /** ImageService.<method>. */
  image(method: string, req: Msg = {}, timeoutMs?: number): Promise<Msg> {
    return this.call(this.img, method, req, timeoutMs);
  }

  /** Resolves once the channel is connected (containerd's socket answers), or rejects. */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => this.rt.waitForReady(Date.now() + timeoutMs, (e) => (e ? reject(e) : resolve())));
  }

  close(): void {
    this.rt.close();
    this.img.close();
  }
}
