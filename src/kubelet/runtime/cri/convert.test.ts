// CRI message conversions (no containerd needed): cgroup values as the kubelet computes them,
// labels, namespace modes, security context, status mapping.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromContainerStatus, milliCpuToQuota, milliCpuToShares, nanosToMs, toContainerConfig, toSandboxConfig } from './convert.js';
import type { PodSandboxConfig } from '../types.js';

const sb: PodSandboxConfig = { uid: 'u1', name: 'web', namespace: 'prod', nodeName: 'n1', restartPolicy: 'Always', hostNetwork: false, logDirectory: '/logs/prod_web_u1', labels: { app: 'web' }, annotations: { a: 'b' } };

describe('CRI conversions', () => {
  it('cpu shares and CFS quota as the kubelet computes them', () => {
    assert.deepEqual([0, 1, 100, 250, 1000, 2500].map(milliCpuToShares), [2, 2, 102, 256, 1024, 2560]);
    assert.deepEqual([0, 1, 250, 1000].map(milliCpuToQuota), [0, 1000, 25000, 100000]);
    assert.equal(nanosToMs('1795385948587717578'), 1795385948587);
    assert.equal(nanosToMs('0'), 0);
  });

  it('sandbox config: metadata, hostname, labels kubelet sets, namespaces, DNS, ports', () => {
    const m = toSandboxConfig({ ...sb, dns: { servers: ['10.96.0.10'], searches: ['prod.svc.cluster.local'], options: ['ndots:5'] }, portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }] });
    assert.deepEqual(m.metadata, { name: 'web', uid: 'u1', namespace: 'prod', attempt: 0 });
    assert.equal(m.hostname, 'web');
    assert.deepEqual(m.labels, { app: 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.pod.uid': 'u1', 'io.keelson.node': 'n1' });
    assert.deepEqual(m.linux.security_context.namespace_options, { network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
    assert.deepEqual(m.dns_config, { servers: ['10.96.0.10'], searches: ['prod.svc.cluster.local'], options: ['ndots:5'] });
    assert.deepEqual(m.port_mappings, [{ protocol: 'TCP', container_port: 80, host_port: 8080, host_ip: '' }]);
    const host = toSandboxConfig({ ...sb, hostNetwork: true });
    assert.equal(host.hostname, '');
    assert.equal(host.linux.security_context.namespace_options.network, 'NODE');
  });

  it('container config: relative log path, resources, security context', () => {
    const m = toContainerConfig(
      {
        name: 'app',
        image: 'busybox:1',
        command: ['sh'],
        args: ['-c', 'true'],
        env: [{ name: 'A', value: '1' }],
        attempt: 2,
        logPath: '/logs/prod_web_u1/app/2.log',
        resources: { cpuRequestMilli: 250, cpuLimitMilli: 500, memoryLimitBytes: 64 << 20 },
        securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, allowPrivilegeEscalation: false },
        oomScoreAdj: 1000,
      },
      sb,
      'sha256:abc',
    );
    assert.equal(m.log_path, 'app/2.log');
    assert.deepEqual(m.metadata, { name: 'app', attempt: 2 });
    assert.deepEqual(m.image, { image: 'sha256:abc', user_specified_image: 'busybox:1' });
    assert.deepEqual(m.envs, [{ key: 'A', value: '1' }]);
    assert.equal(m.labels['io.kubernetes.container.name'], 'app');
    assert.deepEqual(m.linux.resources, { cpu_shares: 256, cpu_quota: 50000, cpu_period: 100000, memory_limit_in_bytes: 64 << 20, oom_score_adj: 1000 });
    const sc = m.linux.security_context;
    assert.deepEqual([sc.run_as_user, sc.readonly_rootfs, sc.no_new_privs, sc.privileged], [{ value: 1000 }, true, true, false]);
    assert.deepEqual(sc.capabilities, { add_capabilities: ['NET_ADMIN'], drop_capabilities: ['ALL'] });
    assert.deepEqual(sc.namespace_options, { network: 'POD', ipc: 'POD', pid: 'CONTAINER' });
  });

  it('an ephemeral container with a target joins its PID namespace (TARGET)', () => {
    const m = toContainerConfig({ name: 'debugger', image: 'busybox:1', command: ['sh'], args: [], env: [], attempt: 0, logPath: '/logs/prod_web_u1/debugger/0.log', pidTargetId: 'c-app' }, sb, 'sha256:abc');
    assert.deepEqual(m.linux.security_context.namespace_options, { network: 'POD', ipc: 'POD', pid: 'TARGET', target_id: 'c-app' });
  });

  it('status: states, times in ms, OOMKilled reason kept', () => {
    const s = fromContainerStatus({ id: 'c1', metadata: { name: 'app', attempt: 1 }, state: 'CONTAINER_EXITED', created_at: '2000000000', started_at: '3000000000', finished_at: '4000000000', exit_code: 137, reason: 'OOMKilled', message: '', image: { image: 'sha256:abc' }, image_ref: 'sha256:abc', log_path: '/l/app/1.log' }, 'sb1');
    assert.deepEqual(
      [s.id, s.sandboxId, s.name, s.attempt, s.state, s.createdAt, s.startedAt, s.finishedAt, s.exitCode, s.reason, s.imageRef, s.logPath],
      ['c1', 'sb1', 'app', 1, 'exited', 2000, 3000, 4000, 137, 'OOMKilled', 'sha256:abc', '/l/app/1.log'],
    );
  });
});
