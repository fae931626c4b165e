// Messages between bench/store/run.ts and its client processes (bench/store/worker.ts).

export type WorkerCommand =
  | {
      type: 'load';
      endpoint: string;
      op: 'put' | 'get' | 'range';
      workerIndex: number;
      inflight: number;
      keyPrefix: string;
      keySpace: number;
      valueSize: number;
      /** Epoch ms (performance.timeOrigin + performance.now()) to start and stop issuing requests. */
      startAt: number;
      endAt: number;
    }
  | { type: 'watch-start'; endpoint: string; prefix: string; count: number; measureFrom: number }
  | { type: 'watch-stop' }
  | { type: 'exit' };

export type WorkerReply =
  | { type: 'hello' }
  | { type: 'load-result'; ops: number; errors: number; firstError?: string; latencies: number[] }
  | { type: 'watch-ready'; watchers: number; error?: string }
  | { type: 'watch-result'; deliveries: number; latencies: number[] };
