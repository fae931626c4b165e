// `keelson controller-manager`: kube-controller-manager's flags.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { ControllerManager } from '../controllers/manager.js';
import { parseDuration } from '../util/duration.js';
import { startHealthServer } from '../util/health-server.js';
import { logger } from '../util/log.js';

export function register(program: Command): void {
  program
    .command('controller-manager')
    .description('run the controller manager (kube-controller-manager): the reconciling controllers, as clients of the API')
    .option('--kubeconfig <file>', 'kubeconfig of the apiserver (default $KUBECONFIG)')
    .option('--controllers <list>', 'controllers to run: "*" for all, "-name" to disable one', '*')
    .option('--leader-elect <bool>', 'elect a leader through a Lease before running controllers', 'true')
    .option('--leader-elect-lease-duration <d>', 'lease duration', '15s')
    .option('--leader-elect-renew-deadline <d>', 'renew deadline', '10s')
    .option('--leader-elect-retry-period <d>', 'retry period', '2s')
    .option('--node-monitor-period <d>', 'how often the node lifecycle controller checks nodes', '5s')
    .option('--node-monitor-grace-period <d>', 'how long a node may go without a heartbeat before it is marked unhealthy', '40s')
    .option('--node-eviction-rate <qps>', 'nodes per second whose pods are evicted (NoExecute taint) in a healthy zone', '0.1')
    .option('--secondary-node-eviction-rate <qps>', 'the same in an unhealthy zone (of a large cluster)', '0.01')
    .option('--unhealthy-zone-threshold <fraction>', 'fraction of not-Ready nodes that makes a zone unhealthy', '0.55')
    .option('--large-cluster-size-threshold <n>', 'at or below this many nodes, unhealthy zones evict nothing', '50')
    .option('--cluster-cidr <cidr>', 'pod IP range of the cluster (node IPAM)', '10.244.0.0/16')
    .option('--allocate-node-cidrs <bool>', 'give each node a podCIDR from --cluster-cidr', 'true')
    .option('--node-cidr-mask-size <bits>', 'size of each node\'s pod CIDR', '24')
    .option('--local-path-dir <dir>', 'where the local-path provisioner puts volumes on the nodes', '/var/lib/keelson/storage')
    .option('--terminated-pod-gc-threshold <n>', 'terminated pods kept before the oldest are deleted (0 = off)', '12500')
    .option('--horizontal-pod-autoscaler-sync-period <d>', 'how often each HorizontalPodAutoscaler is reconciled', '15s')
    .option('--horizontal-pod-autoscaler-tolerance <fraction>', 'usage/target ratios this close to 1 cause no scaling', '0.1')
    .option('--horizontal-pod-autoscaler-downscale-stabilization <d>', 'scale-down stabilization window of HPAs without spec.behavior', '5m')
    .option('--concurrent-deployment-syncs <n>', 'deployment workers', '5')
    .option('--concurrent-job-syncs <n>', 'job workers', '5')
    .option('--concurrent-gc-syncs <n>', 'garbage collector workers', '20')
    .option('--concurrent-replicaset-syncs <n>', 'replicaset workers', '5')
    .option('--concurrent-rc-syncs <n>', 'replicationcontroller workers', '5')
    .option('--secure-port <port>', 'port for /healthz and /metrics (0 = any, -1 = off)', '10257')
    .option('--bind-address <ip>', 'address for the health/metrics port', '127.0.0.1')
    .option('--service-account-private-key-file <file>', 'PEM private key that signs legacy service account tokens (the serviceaccount-token controller)')
    .option('--cluster-signing-cert-file <file>', 'CA certificate that signs approved certificate signing requests (csrsigning)')
    .option('--cluster-signing-key-file <file>', 'its private key (ECDSA P-256)')
    .option('--cluster-signing-duration <d>', 'lifetime of signed certificates', '8760h')
    .option('--root-ca-file <file>', 'root CA put into service account token Secrets as ca.crt (default: the kubeconfig\'s CA)')
    .option('--kube-api-qps <n>', 'client QPS to the apiserver', '200')
    .option('--kube-api-burst <n>', 'client burst to the apiserver', '400')
    .action(async (o: Record<string, string>) => {
      const log = logger('controller-manager');
      const path = o.kubeconfig ?? process.env.KUBECONFIG;
      if (!path) throw new Error('--kubeconfig (or $KUBECONFIG) is required');
      const client = new RestClient({ ...loadKubeconfig(path), qps: Number(o.kubeApiQps), burst: Number(o.kubeApiBurst), userAgent: 'keelson-controller-manager' });
      const cm = new ControllerManager({
        client,
        controllers: [...o.controllers.split(',').map((s) => s.trim()).filter(Boolean), ...(o.allocateNodeCidrs === 'false' ? ['-nodeipam'] : [])],
        leaderElect: o.leaderElect !== 'false',
        leaseDurationMs: parseDuration(o.leaderElectLeaseDuration),
        renewDeadlineMs: parseDuration(o.leaderElectRenewDeadline),
        retryPeriodMs: parseDuration(o.leaderElectRetryPeriod),
        options: {
          concurrentReplicasetSyncs: Number(o.concurrentReplicasetSyncs),
          concurrentDeploymentSyncs: Number(o.concurrentDeploymentSyncs),
          concurrentJobSyncs: Number(o.concurrentJobSyncs),
          concurrentGcSyncs: Number(o.concurrentGcSyncs),
          nodeEvictionRate: Number(o.nodeEvictionRate),
          clusterCidr: o.clusterCidr,
          nodeCidrMaskSize: Number(o.nodeCidrMaskSize),
          terminatedPodGcThreshold: Number(o.terminatedPodGcThreshold),
          localPathDir: o.localPathDir,
          secondaryNodeEvictionRate: Number(o.secondaryNodeEvictionRate),
          unhealthyZoneThreshold: Number(o.unhealthyZoneThreshold),
          largeClusterSizeThreshold: Number(o.largeClusterSizeThreshold),
          concurrentRcSyncs: Number(o.concurrentRcSyncs),
          horizontalPodAutoscalerSyncPeriodMs: parseDuration(o.horizontalPodAutoscalerSyncPeriod),
          horizontalPodAutoscalerTolerance: Number(o.horizontalPodAutoscalerTolerance),
          horizontalPodAutoscalerDownscaleStabilizationMs: parseDuration(o.horizontalPodAutoscalerDownscaleStabilization),
          nodeMonitorPeriodMs: parseDuration(o.nodeMonitorPeriod),
          nodeMonitorGracePeriodMs: parseDuration(o.nodeMonitorGracePeriod),
          serviceAccountPrivateKeyFile: o.serviceAccountPrivateKeyFile,
          rootCaFile: o.rootCaFile,
          clusterSigningCertFile: o.clusterSigningCertFile,
          clusterSigningKeyFile: o.clusterSigningKeyFile,
          clusterSigningDurationMs: parseDuration(o.clusterSigningDuration),
          // kube-root-ca.crt ConfigMaps (serviceaccount controller) carry the same root CA
          rootCaPem: o.rootCaFile ? readFileSync(o.rootCaFile, 'utf8') : undefined,
        },
      });
      let ready = false;
      void cm.ready.then(() => (ready = true));
      const health = await startHealthServer({ port: Number(o.securePort), bindAddress: o.bindAddress, ready: () => ready, log });
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      await cm.start(ac.signal);
      await health?.close();
      process.exit(0);
    });
}
