// The catalog rows that run workloads (`--live`) or a runner request not built yet: declared so their IDs are in
// every run and report, each bound to a stated skip until the live harness runs them (docs/catalog.md rows).
import type { Area, CheckDeclaration } from './types.ts';

/** A row of any area, the cluster-only ones (network, resources) included; index.ts widens Area the same way. */
export type LiveDeclaration = Omit<CheckDeclaration, 'area'> & { readonly area: Area | 'network' | 'resources' };

type Row = Omit<LiveDeclaration, 'cis' | 'fix'> & { cis?: string };
const row = (c: Row): LiveDeclaration => ({ cis: '', fix: 'manual', ...c });

export const liveChecks: readonly LiveDeclaration[] = [
  row({ id: 'KUBELET-3.5.2', area: 'kubelet', threat: 'kubelet-api', level: 'required', cis: '4.2.1', title: 'kubelet API rejects anonymous requests', remediation: 'Set authentication.anonymous.enabled: false (KUBELET-3.3.4) and restart the kubelet; an unauthenticated GET https://NODE:10250/pods must answer 401.' }),
  row({ id: 'KUBELET-3.5.3', area: 'kubelet', threat: 'kubelet-api', level: 'advisory', cis: '4.2.2', title: 'kubelet API authorizes through the API server', remediation: 'Set authorization.mode: Webhook (KUBELET-3.3.5) and restart the kubelet; a token with no RBAC must get 403 on /pods.' }),
  row({ id: 'KUBELET-3.5.4', area: 'kubelet', threat: 'kubelet-api', level: 'required', title: 'The API server can reach the kubelet', remediation: 'A 401/403 on pods/log means the kubelet lost its client CA or webhook settings (KUBELET-3.3.6, 3.3.17): restore them and restart the kubelet.' }),
  row({ id: 'SEC-4.2.5', area: 'security', threat: 'container-escape', level: 'required', title: 'Seccomp profile runs a workload and blocks a syscall', remediation: 'Install the profile under the kubelet\'s seccomp root (SEC-4.2.1–4.2.3) and reference it as localhost/<profile>; a denied syscall must fail with the profile\'s errno.' }),
  row({ id: 'SEC-4.3.1', area: 'security', threat: 'container-escape', level: 'required', cis: '5.6.3', title: 'A restricted pod runs on this node', remediation: 'Read the pod\'s events and waiting reason: a restricted pod that does not start points at the runtime (RT-*), seccomp (SEC-4.2.*) or the kubelet (KUBELET-3.1.4).' }),
  row({ id: 'SEC-4.3.2', area: 'security', threat: 'container-escape', level: 'required', cis: '5.6.2', title: 'Its confinement is real', remediation: 'uid, NoNewPrivs, Seccomp and CapEff inside the pod must match its securityContext: check the runtime\'s seccomp and AppArmor support (SEC-4.1.*).' }),
  row({ id: 'SEC-4.3.4', area: 'security', threat: 'hostpath-escalation', level: 'required', cis: '5.2.11', title: 'hostPath pods are rejected', remediation: 'Enforce Pod Security baseline or restricted in each workload namespace (SEC-4.3.3).' }),
  row({ id: 'SEC-4.3.5', area: 'security', threat: 'container-escape', level: 'required', cis: '5.2.2', title: 'Privileged pods are rejected', remediation: 'Enforce Pod Security baseline or restricted in each workload namespace (SEC-4.3.3).' }),
  row({ id: 'NET-5.2.1', area: 'network', threat: 'availability', level: 'required', title: 'Pods resolve cluster DNS', remediation: 'Check CoreDNS pods and the kubelet\'s clusterDNS/clusterDomain (KUBELET-3.4.x), then the CNI on this node (NET-5.1.*).' }),
  row({ id: 'NET-5.2.2', area: 'network', threat: 'availability', level: 'required', title: 'Pods resolve Service names', remediation: 'Check the pod\'s /etc/resolv.conf search path (the kubelet\'s clusterDomain) and CoreDNS.' }),
  row({ id: 'NET-5.3.1', area: 'network', threat: 'availability', level: 'required', title: 'Pods reach the API server', remediation: 'Check the Service proxy (Cilium kube-proxy replacement or kube-proxy) on this node and the route to the control plane.' }),
  row({ id: 'NET-5.3.2', area: 'network', threat: 'network-traffic', level: 'required', title: 'Pods reach each other', remediation: 'Check the Cilium agent on this node (NET-5.1.2, 5.1.3) and its endpoints (NET-5.1.4).' }),
  row({ id: 'NET-5.4.1', area: 'network', threat: 'network-traffic', level: 'required', cis: '5.3.1', title: 'Default-deny ingress blocks traffic', remediation: 'The CNI does not enforce NetworkPolicy: enable policy enforcement in Cilium (policyEnforcementMode default) and check the agent.' }),
  row({ id: 'NET-5.4.2', area: 'network', threat: 'network-traffic', level: 'required', title: 'Removing the policy restores traffic', remediation: 'A deleted policy still enforced means the agent did not resync: restart the Cilium agent on this node and read its logs.' }),
  row({ id: 'RES-6.2.1', area: 'resources', threat: 'resource-exhaustion', level: 'required', title: 'A memory bomb is OOMKilled', remediation: 'Memory limits are not enforced: check the cgroup driver (KUBELET-3.4.x, RT-2.2.x SystemdCgroup) and cgroup v2 memory controller.' }),
  row({ id: 'RES-6.2.2', area: 'resources', threat: 'resource-exhaustion', level: 'required', title: 'The node survives the bomb', remediation: 'Reserve memory for the system and the kubelet (KUBELET-3.4.1–3.4.3) and set evictionHard memory.available.' }),
  row({ id: 'RES-6.2.3', area: 'resources', threat: 'resource-exhaustion', level: 'required', title: 'Container limits reach the cgroup', remediation: 'Check the cgroup driver agreement between containerd and the kubelet (RT-2.2.3, KUBELET-3.4.x) and that the node runs cgroup v2.' }),
];
