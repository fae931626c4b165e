// `keelson scheduler`: kube-scheduler's flags; `keelson scheduler explain POD`.
import type { Command } from 'commander';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { Resources, resourcePath } from '../client/resources.js';
import { loadSchedulerConfig, type SchedulerConfig } from '../scheduler/config.js';
import { explainPod, renderExplanation } from '../scheduler/explain.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { parseDuration } from '../util/duration.js';
import { startHealthServer } from '../util/health-server.js';
import { logger } from '../util/log.js';

interface Opts {
  kubeconfig?: string;
  config?: string;
  leaderElect: string;
  leaderElectLeaseDuration: string;
  leaderElectRenewDeadline: string;
  leaderElectRetryPeriod: string;
  leaderElectResourceName: string;
  leaderElectResourceNamespace: string;
  securePort: string;
  bindAddress: string;
  kubeApiQps: string;
  kubeApiBurst: string;
}

function client(kubeconfig: string | undefined, qps = 50, burst = 100): RestClient {
  const path = kubeconfig ?? process.env.KUBECONFIG;
  if (!path) throw new Error('--kubeconfig (or $KUBECONFIG) is required');
  return new RestClient({ ...loadKubeconfig(path), qps, burst, userAgent: 'keelson-scheduler' });
}

export function register(program: Command): void {
  const cmd = program
    .command('scheduler')
    .description('run the scheduler (kube-scheduler): assigns pending pods to nodes through the API')
    .option('--kubeconfig <file>', 'kubeconfig of the apiserver to schedule for (default $KUBECONFIG)')
    .option('--config <file>', 'KubeSchedulerConfiguration file (profiles, plugins, args)')
    .option('--leader-elect <bool>', 'elect a leader through a Lease before scheduling', 'true')
    .option('--leader-elect-lease-duration <d>', 'lease duration', '15s')
    .option('--leader-elect-renew-deadline <d>', 'renew deadline', '10s')
    .option('--leader-elect-retry-period <d>', 'retry period', '2s')
    .option('--leader-elect-resource-name <name>', 'lease name', 'kube-scheduler')
    .option('--leader-elect-resource-namespace <ns>', 'lease namespace', 'kube-system')
    .option('--secure-port <port>', 'port for /healthz, /readyz and /metrics (0 = any free port, -1 = off)', '10259')
    .option('--bind-address <ip>', 'address for the health/metrics port', '127.0.0.1')
    .option('--kube-api-qps <n>', 'client QPS to the apiserver', '200')
    .option('--kube-api-burst <n>', 'client burst to the apiserver', '400')
    .action(async (o: Opts) => {
      const log = logger('scheduler');
      const config: SchedulerConfig = o.config ? loadSchedulerConfig(o.config) : {};
      const le = config.leaderElection ?? {};
      const s = new Scheduler({
        client: client(o.kubeconfig, Number(o.kubeApiQps), Number(o.kubeApiBurst)),
        config,
        leaderElect: le.leaderElect ?? o.leaderElect !== 'false',
        leaseDurationMs: parseDuration(le.leaseDuration ?? o.leaderElectLeaseDuration),
        renewDeadlineMs: parseDuration(le.renewDeadline ?? o.leaderElectRenewDeadline),
        retryPeriodMs: parseDuration(le.retryPeriod ?? o.leaderElectRetryPeriod),
      });
      config.leaderElection = { ...le, resourceName: le.resourceName ?? o.leaderElectResourceName, resourceNamespace: le.resourceNamespace ?? o.leaderElectResourceNamespace };
      let ready = false;
      void s.ready.then(() => {
        ready = true;
        log.info({ profiles: [...s.profiles.keys()] }, 'scheduler ready');
      });
      const health = await startHealthServer({ port: Number(o.securePort), bindAddress: o.bindAddress, ready: () => ready, log });
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      await s.start(ac.signal);
      await health?.close();
      process.exit(0);
    });
  cmd
    .command('explain <pod>')
    .description("show why a pod goes where it does: each node's filter verdict and each plugin's score")
    .option('-n, --namespace <ns>', 'namespace of the pod', 'default')
    .option('--kubeconfig <file>', 'kubeconfig (default $KUBECONFIG)')
    .option('--config <file>', 'KubeSchedulerConfiguration with the profiles to explain with')
    .option('-o, --output <fmt>', 'text or json', 'text')
    .action(async (pod: string, o: { namespace: string; kubeconfig?: string; config?: string; output: string }) => {
      const c = client(o.kubeconfig ?? cmd.opts().kubeconfig);
      const [ns, name] = pod.includes('/') ? pod.split('/', 2) : [o.namespace, pod];
      const e = await explainPod(c, ns, name, o.config ? loadSchedulerConfig(o.config) : {});
      if (o.output === 'json') {
        const d = e.decision;
        console.log(
          JSON.stringify(
            { pod: e.pod, boundTo: e.boundTo, chosen: d.node, message: e.message, scores: d.scores, rejected: Object.fromEntries([...d.rejected].map(([n, s]) => [n, { plugin: s.plugin, reasons: s.reasons }])) },
            null,
            2,
          ),
        );
      } else console.log(renderExplanation(e, await c.get(resourcePath(Resources.pods, ns, name))));
      c.close();
    });
}
