// Messages between bench/store/run.ts and its client processes (bench/store/worker.ts).

export type WorkerCommand =
  | {
      type: 'load';
      endpoint: string;
      op: 'put' | 'get' | 'range';
      /** grpc-js with protobufjs objects, or the lean client of raw-client.ts. */
      client: 'grpc-js' | 'raw';
      workerIndex: number;
      inflight: number;
      keyPrefix: string;
      keySpace: number;
      valueSize: number;
      /** Epoch ms (performance.timeOrigin + performance.now()) to start and stop issuing requests. */
      startAt: number;
      endAt: number;
      /** Keep going past endAt (up to 3x the duration) until each request loop completed this many. */
      minOps: number;
    }
  | { type: 'watch-start'; endpoint: string; prefix: string; count: number; measureFrom: number }
  /** Report once `expected` events arrived (or at `deadline`, epoch ms). */
  | { type: 'watch-stop'; expected: number; deadline: number }
  | { type: 'exit' };

export type WorkerReply =
  | { type: 'hello' }
  | { type: 'load-result'; ops: number; errors: number; firstError?: string; latencies: number[]; lastDone: number }
  | { type: 'watch-ready'; watchers: number; error?: string }
  | { type: 'watch-result'; deliveries: number; latencies: number[] };
