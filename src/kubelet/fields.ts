// The kubelet settings the checks read: config-file path, type, command-line flag and v1beta1 default, so every
// layer (flag, file, drop-in, default) is read into the same typed value.
import { formatDuration } from './duration.ts';

export type FieldType = 'bool' | 'int' | 'string' | 'duration' | 'list' | 'map';

export type Typed =
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'duration'; readonly ns: bigint }
  | { readonly type: 'list'; readonly value: readonly string[] }
  /** Map values kept as text; checks parse them as quantities, thresholds or durations per key. */
  | { readonly type: 'map'; readonly value: Readonly<Record<string, string>> };

export interface FieldSpec {
  readonly field: string;
  readonly type: FieldType;
  readonly flag?: string;
  /** Separator between a map flag's key and value (--eviction-hard=memory.available<500Mi). */
  readonly mapSeparator?: '=' | '<';
  /** v1beta1 default; absent when the kubelet leaves the field empty. */
  readonly default?: Typed;
  /** The default the kubelet applies when it runs without --config (applyLegacyDefaults). */
  readonly legacyDefault?: Typed;
  /** A zero value in a config file means "use the default" (the kubelet defaults zero durations). */
  readonly zeroIsDefault?: boolean;
}

const b = (value: boolean): Typed => ({ type: 'bool', value });
const i = (value: number): Typed => ({ type: 'int', value });
const s = (value: string): Typed => ({ type: 'string', value });
const hours4 = 4n * 3_600_000_000_000n;

export const fieldSpecs: readonly FieldSpec[] = [
  { field: 'readOnlyPort', type: 'int', flag: 'read-only-port', default: i(0), legacyDefault: i(10255) },
  { field: 'protectKernelDefaults', type: 'bool', flag: 'protect-kernel-defaults', default: b(false) },
  { field: 'eventRecordQPS', type: 'int', flag: 'event-qps', default: i(50) },
  { field: 'authentication.anonymous.enabled', type: 'bool', flag: 'anonymous-auth', default: b(false), legacyDefault: b(true) },
  { field: 'authentication.webhook.enabled', type: 'bool', flag: 'authentication-token-webhook', default: b(true), legacyDefault: b(false) },
  { field: 'authentication.x509.clientCAFile', type: 'string', flag: 'client-ca-file' },
  { field: 'authorization.mode', type: 'string', flag: 'authorization-mode', default: s('Webhook'), legacyDefault: s('AlwaysAllow') },
  { field: 'streamingConnectionIdleTimeout', type: 'duration', flag: 'streaming-connection-idle-timeout', default: { type: 'duration', ns: hours4 }, zeroIsDefault: true },
  { field: 'makeIPTablesUtilChains', type: 'bool', flag: 'make-iptables-util-chains', default: b(true) },
  { field: 'tlsCertFile', type: 'string', flag: 'tls-cert-file' },
  { field: 'tlsPrivateKeyFile', type: 'string', flag: 'tls-private-key-file' },
  { field: 'rotateCertificates', type: 'bool', flag: 'rotate-certificates', default: b(false) },
  { field: 'serverTLSBootstrap', type: 'bool', flag: 'rotate-server-certificates', default: b(false) },
  { field: 'featureGates', type: 'map', flag: 'feature-gates', mapSeparator: '=' },
  { field: 'tlsCipherSuites', type: 'list', flag: 'tls-cipher-suites' },
  { field: 'podPidsLimit', type: 'int', flag: 'pod-max-pids', default: i(-1) },
  { field: 'seccompDefault', type: 'bool', flag: 'seccomp-default', default: b(false) },
  { field: 'cgroupDriver', type: 'string', flag: 'cgroup-driver', default: s('cgroupfs') },
  { field: 'maxPods', type: 'int', flag: 'max-pods', default: i(110), zeroIsDefault: true },
  { field: 'clusterDNS', type: 'list', flag: 'cluster-dns' },
  { field: 'clusterDomain', type: 'string', flag: 'cluster-domain' },
  { field: 'systemReserved', type: 'map', flag: 'system-reserved', mapSeparator: '=' },
  { field: 'kubeReserved', type: 'map', flag: 'kube-reserved', mapSeparator: '=' },
  {
    field: 'evictionHard',
    type: 'map',
    flag: 'eviction-hard',
    mapSeparator: '<',
    default: { type: 'map', value: { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%', 'imagefs.inodesFree': '5%' } },
  },
  { field: 'evictionSoft', type: 'map', flag: 'eviction-soft', mapSeparator: '<' },
  { field: 'evictionSoftGracePeriod', type: 'map', flag: 'eviction-soft-grace-period', mapSeparator: '=' },
];

export const fieldSpec = (field: string): FieldSpec | undefined => fieldSpecs.find((f) => f.field === field);

/** Flags that are only flags (no config field) but that the checks read. */
export const flagOnly = ['config', 'config-dir', 'kubeconfig', 'bootstrap-kubeconfig', 'hostname-override'] as const;

/** Kubelet flags that take no value (`--flag` = true, pflag's NoOptDefVal); any other flag takes the next word when it has no `=`. */
export const boolFlags: ReadonlySet<string> = new Set([
  'anonymous-auth',
  'authentication-token-webhook',
  'protect-kernel-defaults',
  'make-iptables-util-chains',
  'rotate-certificates',
  'rotate-server-certificates',
  'seccomp-default',
  'fail-swap-on',
  'register-node',
  'register-schedulable',
  'cgroups-per-qos',
  'enable-server',
  'enable-debugging-handlers',
  'enable-controller-attach-detach',
  'serialize-image-pulls',
  'kernel-memcg-notification',
  'exit-on-lock-contention',
  'keep-terminated-pod-volumes',
  'localstorage-capacity-isolation',
  'log-json-split-stream',
  'logtostderr',
  'alsologtostderr',
  'help',
  'h',
  'version',
  'runonce',
  'cpu-cfs-quota',
  'fail-cgroupv1',
  'one-output',
  'skip-headers',
  'skip-log-headers',
  'add-dir-header',
  'experimental-allocatable-ignore-eviction',
  'experimental-check-node-capabilities-before-mount',
]);

/** How a typed value reads in a verdict: durations in Go's form, lists and maps compactly. */
export function formatTyped(t: Typed | undefined): string {
  if (t === undefined) return '(not set)';
  switch (t.type) {
    case 'bool':
    case 'int':
      return String(t.value);
    case 'string':
      return t.value === '' ? '""' : t.value;
    case 'duration':
      return formatDuration(t.ns);
    case 'list':
      return `[${t.value.join(', ')}]`;
    case 'map':
      return `{${Object.entries(t.value).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
  }
}
