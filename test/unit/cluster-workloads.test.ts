// NET-5.1.2–5.1.5, NET-5.4.3, SEC-4.3.3, SEC-4.3.6, SEC-4.3.7, RT-2.3.3 and SEC-4.2.6 over the fixture cluster's
// facts: the healthy cluster passes, one drift at a time fails, a forbidden read errors.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { evaluateCiliumAgent, evaluateCiliumEndpoints, evaluateCiliumHealth, evaluateHubbleRelay } from '../../src/evaluate/cluster/cilium.ts';
import { evaluateDefaultDeny, evaluatePodSecurityLabels } from '../../src/evaluate/cluster/namespaces.ts';
import { evaluateNoSandboxEscape, evaluateNoSocketMount, evaluateReadOnlyRoot, exposesPath } from '../../src/evaluate/cluster/pods.ts';
import { evaluateSeccompReferences, seccompReferencePaths } from '../../src/evaluate/cluster/seccomp-refs.ts';
import type { KubeObject, Scenario } from '../support/fake-apiserver.ts';
import { denyAll, forbiddenPods, healthy, namespace, pod, scenario, workloadNamespaces } from '../support/fake-apiserver-scenarios.ts';
import { clusterProfile, gatherScenario, nodeWithCapacity } from '../support/fake-apiserver-facts.ts';
import { drift, file, missing } from '../support/facts.ts';

const profile = clusterProfile();
let ok: ClusterFacts;
let podsForbidden: ClusterFacts;

beforeAll(async () => {
  ok = await gatherScenario(healthy());
  podsForbidden = await gatherScenario(forbiddenPods());
});

/** The healthy cluster with pods replaced or added. */
const withPods = (name: string, change: (pods: readonly KubeObject[]) => KubeObject[]): Scenario =>
  scenario(name, (s) => ({ objects: { ...s.objects, pods: change(s.objects['pods'] ?? []) } }));
const without = (prefix: string) => (pods: readonly KubeObject[]) => pods.filter((p) => !String(p.metadata?.['name']).startsWith(prefix));

describe('NET-5.1.2 Cilium agent on the node', () => {
  test('Running and Ready: pass', () => expect(evaluateCiliumAgent(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'kube-system/cilium-x7k2p Running, Ready' }));
  test('only on other nodes: fail', async () => {
    const f = await gatherScenario(withPods('no agent here', without('cilium-x7k2p')));
    const v = evaluateCiliumAgent(undefined, f, profile);
    expect(v).toMatchObject({ status: 'fail', actual: 'no agent pod on this node' });
    expect(v.message).toMatch(/^no Cilium agent runs on worker-01/);
  });
  test('kube-system pods forbidden: error', () => expect(evaluateCiliumAgent(undefined, podsForbidden, profile).status).toBe('error'));
});

describe('NET-5.1.3 Cilium health', () => {
  test('Ready: pass, saying what was not observed', () => {
    const v = evaluateCiliumHealth(undefined, ok, profile);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('healthy by its readiness probe; `cilium-dbg status --brief` was not run (it needs pods/exec: a live check).');
  });
  test('crash-looping: fail', async () => {
    const f = await gatherScenario(withPods('agent crash-looping', (pods) => [...without('cilium-x7k2p')(pods), pod({ namespace: 'kube-system', name: 'cilium-x7k2p', labels: { 'k8s-app': 'cilium' }, ready: false, waiting: 'CrashLoopBackOff', restartCount: 7 })]));
    const v = evaluateCiliumHealth(undefined, f, profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('kube-system/cilium-x7k2p Running, not Ready, 7 restarts, main waiting (CrashLoopBackOff)');
    expect(v.message).toMatch(/^the agent is crash-looping \(kube-system\/cilium-x7k2p main CrashLoopBackOff\)/);
    // NET-5.1.2 agrees: Running but not Ready.
    expect(evaluateCiliumAgent(undefined, f, profile).status).toBe('fail');
  });
  test('no agent to judge: error, not a pass', async () => {
    const f = await gatherScenario(withPods('no agent', without('cilium-x7k2p')));
    expect(evaluateCiliumHealth(undefined, f, profile).status).toBe('error');
  });
});

describe('NET-5.1.4 endpoints programmed', () => {
  test('pod-network pods Running and Ready: pass', () => expect(evaluateCiliumEndpoints(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: '2 of 2 pod-network pods Running and Ready' }));
  test('a pod stuck in ContainerCreating: fail', async () => {
    const f = await gatherScenario(withPods('no endpoints', (pods) => [...pods, pod({ namespace: 'flask-apps', name: 'api-1', phase: 'Pending', ready: false, waiting: 'ContainerCreating' })]));
    const v = evaluateCiliumEndpoints(undefined, f, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^pods on this node cannot get their network \(flask-apps\/api-1 wait in ContainerCreating\/Pending\)/);
  });
  test('only hostNetwork pods: nothing observable, error', async () => {
    const f = await gatherScenario(withPods('host network only', (pods) => pods.filter((p) => (p['spec'] as { hostNetwork?: boolean }).hostNetwork === true)));
    expect(evaluateCiliumEndpoints(undefined, f, profile)).toMatchObject({ status: 'error', actual: 'no pod on the pod network here' });
  });
  test('pods forbidden: error', () => expect(evaluateCiliumEndpoints(undefined, podsForbidden, profile).status).toBe('error'));
});

describe('NET-5.1.5 Hubble relay', () => {
  test('available: pass', () => expect(evaluateHubbleRelay(undefined, ok, profile).status).toBe('pass'));
  test('not deployed: fail', async () => {
    const f = await gatherScenario(withPods('no relay', without('hubble-relay')));
    expect(evaluateHubbleRelay(undefined, f, profile)).toMatchObject({
      status: 'fail',
      actual: 'no Hubble relay',
      message: 'Hubble relay is not deployed: flows cannot be observed (`cilium hubble enable`, or the Helm values hubble.relay.enabled=true).',
    });
  });
  test('forbidden: error', () => expect(evaluateHubbleRelay(undefined, podsForbidden, profile).status).toBe('error'));
});

describe('SEC-4.3.3 Pod Security labels', () => {
  test('restricted everywhere: pass', () => expect(evaluatePodSecurityLabels(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'flask-apps: restricted; django-app: restricted; fastapi-app: restricted' }));
  test('privileged, unlabelled, missing: fail naming each', async () => {
    const f = await gatherScenario(
      scenario('pss drift', (s) => ({
        objects: { ...s.objects, namespaces: [namespace('kube-system'), namespace('flask-apps', { 'pod-security.kubernetes.io/enforce': 'privileged' }), namespace('django-app', { 'pod-security.kubernetes.io/warn': 'restricted' })] },
      })),
    );
    const v = evaluatePodSecurityLabels(undefined, f, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toBe(
      'flask-apps enforces "privileged", which admits privileged and hostPath pods; django-app has no pod-security.kubernetes.io/enforce label: `kubectl label ns django-app pod-security.kubernetes.io/enforce=restricted`; namespace fastapi-app does not exist. Without enforcement a hostPath or privileged pod is admitted there (SEC-4.3.4, SEC-4.3.5).',
    );
  });
  test('namespaces forbidden: error', async () => {
    const f = await gatherScenario(scenario('ns forbidden', () => ({ forbidden: ['list namespaces'] })));
    expect(evaluatePodSecurityLabels(undefined, f, profile)).toMatchObject({ status: 'error', message: expect.stringMatching(/^forbidden: list namespaces \(core\) at cluster scope — grant it with deploy\/rbac\.yaml/) as unknown });
  });
});

describe('NET-5.4.3 default-deny policies', () => {
  test('each workload namespace has one: pass', () => expect(evaluateDefaultDeny(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'flask-apps: default-deny-ingress; django-app: default-deny-ingress; fastapi-app: default-deny-ingress' }));
  test('a policy that selects some pods or allows some ingress does not count', async () => {
    const partial: KubeObject = { metadata: { name: 'allow-web', namespace: 'django-app' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] } };
    const allowing: KubeObject = { metadata: { name: 'deny-but', namespace: 'fastapi-app' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] } };
    const f = await gatherScenario(scenario('weak policies', (s) => ({ objects: { ...s.objects, networkpolicies: [denyAll('flask-apps'), partial, allowing] } })));
    const v = evaluateDefaultDeny(undefined, f, profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('flask-apps: default-deny-ingress; django-app: 1 policies, none deny all ingress; fastapi-app: 1 policies, none deny all ingress');
    expect(v.message).toMatch(/^django-app has no default-deny ingress policy \(allow-web select only some pods or allow some ingress\)/);
  });
  test('policyTypes omitted: the API defaults it to Ingress, so a bare podSelector {} denies all ingress', async () => {
    const bare: KubeObject = { metadata: { name: 'deny', namespace: 'django-app' }, spec: { podSelector: {} } };
    const f = await gatherScenario(scenario('bare policy', (s) => ({ objects: { ...s.objects, networkpolicies: [denyAll('flask-apps'), bare, denyAll('fastapi-app')] } })));
    expect(evaluateDefaultDeny(undefined, f, profile).status).toBe('pass');
  });
  test('networkpolicies forbidden: error', async () => {
    const f = await gatherScenario(scenario('netpol forbidden', () => ({ forbidden: ['list networkpolicies'] })));
    expect(evaluateDefaultDeny(undefined, f, profile)).toMatchObject({ status: 'error', message: expect.stringMatching(/^forbidden: list networkpolicies \(networking\.k8s\.io\) in namespace flask-apps/) as unknown });
  });
});

describe('SEC-4.3.6 no sandbox escapes', () => {
  test('only kube-system pods use the host: pass', () => expect(evaluateNoSandboxEscape(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: '1 workload pods checked, none escapes' }));
  test('a workload pod with hostPID, a hostPath and a privileged container: fail listing them', async () => {
    const f = await gatherScenario(withPods('escape', (pods) => [...pods, pod({ namespace: 'default', name: 'debug', hostPID: true, hostPaths: { root: '/' }, container: { privileged: true, allowPrivilegeEscalation: true } })]));
    const v = evaluateNoSandboxEscape(undefined, f, profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('default/debug: hostPID, hostPath /, main privileged, main allowPrivilegeEscalation');
    expect(v.message).toBe(
      '1 pods on this node can reach the host: default/debug: hostPID, hostPath /, main privileged, main allowPrivilegeEscalation. Enforce Pod Security baseline or restricted in their namespaces (SEC-4.3.3) and redeploy them without these fields.',
    );
  });
  test('pods forbidden: error', () => expect(evaluateNoSandboxEscape(undefined, podsForbidden, profile).status).toBe('error'));
});

describe('SEC-4.3.7 read-only root filesystems', () => {
  test('the workload container is read-only: pass', () => expect(evaluateReadOnlyRoot(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: '1 containers, all read-only' }));
  test('a writable one: fail naming pod and container', async () => {
    const f = await gatherScenario(withPods('writable', (pods) => [...pods, pod({ namespace: 'fastapi-app', name: 'api-7f', container: { readOnlyRootFilesystem: false } })]));
    expect(evaluateReadOnlyRoot(undefined, f, profile)).toMatchObject({
      status: 'fail',
      actual: '1 of 2 containers writable: fastapi-app/api-7f:main',
      message: 'fastapi-app/api-7f:main can write their root filesystem: an intruder can drop tools there. Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.',
    });
  });
  test('pods forbidden: error', () => expect(evaluateReadOnlyRoot(undefined, podsForbidden, profile).status).toBe('error'));
});

describe('RT-2.3.3 no runtime socket mounts', () => {
  test('at or above the socket: the socket, its directory, /run, /var/run, /; not a sibling or below', () => {
    const sock = '/run/containerd/containerd.sock';
    for (const p of [sock, '/run/containerd', '/run/containerd/', '/run', '//run', '/']) expect(exposesPath(p, sock)).toBe(true);
    for (const p of ['/run/cilium', '/run/containerd2', '/run/containerd/io.containerd.runtime.v2.task', '/var/lib']) expect(exposesPath(p, sock)).toBe(false);
    expect(exposesPath('/var/run', '/var/run/containerd/containerd.sock')).toBe(true);
  });
  test('healthy: cilium\'s /var/run/cilium is not above the socket: pass', () => expect(evaluateNoSocketMount(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'no workload pod mounts it' }));
  test('a workload pod mounting /var/run: fail', async () => {
    const f = await gatherScenario(withPods('socket', (pods) => [...pods, pod({ namespace: 'flask-apps', name: 'ci-runner', hostPaths: { sock: '/var/run' } })]));
    const v = evaluateNoSocketMount(undefined, f, profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('1 pods mount it: flask-apps/ci-runner (sock: /var/run)');
    expect(v.message).toMatch(/^flask-apps\/ci-runner \(sock: \/var\/run\): a pod with the containerd socket can start privileged containers on the host/);
  });
  test('a system-namespace agent mounting it is allowed and counted', async () => {
    const f = await gatherScenario(withPods('agent', (pods) => [...pods, pod({ namespace: 'kube-system', name: 'node-agent', hostPaths: { sock: '/run/containerd/containerd.sock' } })]));
    expect(evaluateNoSocketMount(undefined, f, profile)).toMatchObject({ status: 'pass', actual: 'no workload pod mounts it (1 in system namespaces, allowed)' });
  });
  test('pods forbidden: error', () => expect(evaluateNoSocketMount(undefined, podsForbidden, profile).status).toBe('error'));
});

describe('SEC-4.2.6 referenced seccomp profiles exist', () => {
  const guideProfile = readFileSync(new URL('../../fixtures/guide/web-app.json', import.meta.url), 'utf8');
  const installed = drift(nodeWithCapacity(), { files: { '/var/lib/kubelet/seccomp/profiles/web-app.json': file(guideProfile), '/var/lib/kubelet/seccomp/web-app.json': missing } });

  test('localhost/profiles/web-app.json installed and valid: pass; the probe is told which file to read', () => {
    expect(seccompReferencePaths(ok, profile)).toEqual(['/var/lib/kubelet/seccomp/profiles/web-app.json']);
    expect(evaluateSeccompReferences(installed, ok, profile)).toMatchObject({ status: 'pass', actual: 'profiles/web-app.json: valid' });
  });
  test('the guide\'s trap, localhost/web-app.json: fail, pointing at the installed name', async () => {
    const f = await gatherScenario(
      withPods('trap', (pods) => [...pods, pod({ namespace: 'flask-apps', name: 'web-2', podSecurityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'web-app.json' } } })]),
    );
    const v = evaluateSeccompReferences(installed, f, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toBe(
      'flask-apps/web-2 names localhost/web-app.json, but /var/lib/kubelet/seccomp/web-app.json does not exist — the profile is installed as profiles/web-app.json: reference localhost/profiles/web-app.json; such a pod fails with CreateContainerError.',
    );
  });
  test('an invalid installed profile: fail', () => {
    const broken = drift(installed, { files: { '/var/lib/kubelet/seccomp/profiles/web-app.json': file('{"defaultAction": "SCMP_ACT_NOPE"}') } });
    expect(evaluateSeccompReferences(broken, ok, profile).status).toBe('fail');
  });
  test('the file was not gathered: error; pods forbidden: error; node not observed: skip', () => {
    expect(evaluateSeccompReferences(nodeWithCapacity(), ok, profile).status).toBe('error');
    expect(evaluateSeccompReferences(installed, podsForbidden, profile).status).toBe('error');
    expect(evaluateSeccompReferences(undefined, ok, profile).status).toBe('skip');
  });
});

test('the workload namespaces of the fixtures are the profile\'s', () => expect(profile.cluster.workloadNamespaces).toEqual(workloadNamespaces));
