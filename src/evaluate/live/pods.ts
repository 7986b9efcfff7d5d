// The probe pods' manifests: each passes Pod Security "restricted" (non-root, RuntimeDefault or Localhost
// seccomp, drop ALL, no privilege escalation), runs once (restartPolicy Never) and prints what it observed as
// "NODEGATE key rc=N" marker lines, so the verdict comes from the pod's own output and exit code.
import type { V1Container, V1Pod, V1SeccompProfile } from '@kubernetes/client-node';
import { cgroupLimitFiles } from './cgroup-limits.ts';

export interface LiveImages {
  readonly web: string;
  readonly shell: string;
  readonly stress: string;
}

/** The label every probe pod carries, naming its role (the fixture API server plays each role's ending). */
export const roleLabel = 'nodegate.io/probe';
export const webLabels = { app: 'nodegate-web', [roleLabel]: 'web' } as const;

/** nobody: busybox and stress run as root by default, which "restricted" refuses. */
const nobody = 65534;

/**
 * A probe pod holds nothing worth a graceful shutdown, and the run waits for its namespace to be gone: the default
 * 30 s would let an image whose PID 1 ignores SIGTERM (a shell, busybox httpd) hold every run's cleanup for 30 s.
 */
const terminationGracePeriodSeconds = 1;

interface ProbeSpec {
  readonly name: string;
  readonly role: string;
  readonly image: string;
  readonly script: string;
  readonly uid?: number;
  readonly seccomp?: V1SeccompProfile;
  readonly resources?: V1Container['resources'];
  readonly labels?: Readonly<Record<string, string>>;
}

/** A one-shot restricted pod running `sh -c script`. */
export function probePod(p: ProbeSpec): V1Pod {
  return {
    metadata: { name: p.name, labels: { [roleLabel]: p.role, ...p.labels } },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds,
      // spec.nodeName bypasses the scheduler, but the kubelet still refuses a pod that does not tolerate a
      // NoExecute taint; the node under test is audited whatever it is tainted with.
      tolerations: [{ operator: 'Exists' }],
      securityContext: { runAsNonRoot: true, runAsUser: p.uid ?? nobody, runAsGroup: p.uid ?? nobody, seccompProfile: p.seccomp ?? { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'probe',
          image: p.image,
          command: ['sh', '-c', p.script],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          resources: p.resources ?? { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
        },
      ],
    },
  };
}

/** "NODEGATE name rc=$?" after a command: the marker the verdicts parse. */
const mark = (key: string, command: string): string => `${command} 2>&1; echo "NODEGATE ${key} rc=$?"`;

/** The end of a client probe: its output and its marker in one printf, so concurrent probes do not interleave them. */
const report = (key: string): string => `printf '%s\\nNODEGATE ${key} rc=%s\\n' "$out" "$rc"`;

/**
 * nslookup with its answer checked too: a resolved name prints a "Name:" line; an exit status of 0 without one
 * (busybox versions differ on the status of NXDOMAIN and SERVFAIL) does not count as resolved.
 */
const resolve = (key: string, name: string): string =>
  `out=$(nslookup ${name} 2>&1); rc=$?; case "$out" in *"Name:"*) ;; *) [ $rc -eq 0 ] && rc=1;; esac; ${report(key)}`;

/**
 * Probes run as concurrent background jobs, then `wait`: on a broken node each request waits out its own timeout,
 * and the pod ends after the slowest of them instead of their sum.
 */
const concurrently = (probes: readonly string[]): string => [...probes.map((p) => `(${p}) &`), 'wait'].join('\n');

/**
 * The guide's nginx-test pod (uid 101, drop ALL + NET_BIND_SERVICE, no privilege escalation, RuntimeDefault,
 * 64Mi/100m → 128Mi/200m), the server of NET-5.3.2/5.4.x. It prints its own /proc/self/status confinement lines
 * (SEC-4.3.2, read from its log: nodegate has no exec) and then runs nginx. uid 101 cannot write the image's
 * root-owned cache and pid directories, so they are emptyDirs (the nginx-unprivileged image does the same).
 */
export function webPod(name: string, image: string): V1Pod {
  return {
    metadata: { name, labels: { ...webLabels } },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds,
      tolerations: [{ operator: 'Exists' }],
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [
        { name: 'cache', emptyDir: {} },
        { name: 'run', emptyDir: {} },
      ],
      containers: [
        {
          name: 'nginx',
          image,
          command: ['sh', '-c', `grep -E '^(Uid|NoNewPrivs|Seccomp|CapEff):' /proc/self/status | sed 's/^/NODEGATE status /'; exec nginx -g 'daemon off;'`],
          ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
          resources: { requests: { memory: '64Mi', cpu: '100m' }, limits: { memory: '128Mi', cpu: '200m' } },
          securityContext: { runAsNonRoot: true, runAsUser: 101, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, seccompProfile: { type: 'RuntimeDefault' } },
          volumeMounts: [
            { name: 'cache', mountPath: '/var/cache/nginx' },
            { name: 'run', mountPath: '/var/run' },
          ],
        },
      ],
    },
  };
}

/** A URL host for an address: an IPv6 ClusterIP goes in brackets. */
export const urlHost = (address: string): string => (address.includes(':') ? `[${address}]` : address);

/**
 * NET-5.2.1, 5.2.2, 5.3.1 and 5.3.2 from one client pod: cluster DNS, the Service by short and full name, TCP+TLS
 * to the API server (an HTTP status from wget proves the handshake), then HTTP through the Service. The two
 * reachability checks go by address so that DNS being down fails NET-5.2.x only: the API server at the
 * KUBERNETES_SERVICE_HOST/PORT the kubelet injects into every pod (kubernetes.default's ClusterIP; by name only if
 * the pod has no such variable, which the marker says), the Service at `serviceIp`, its ClusterIP (by full name
 * when none is known: then there is no Service and NET-5.3.2 is an error whatever this line prints).
 */
export function clientPod(name: string, image: string, service: string, namespace: string, clusterDomain: string, serviceIp?: string): V1Pod {
  const full = `${service}.${namespace}.svc.${clusterDomain}`;
  const script = concurrently([
    resolve('dns-cluster', `kubernetes.default.svc.${clusterDomain}`),
    // busybox's nslookup does not apply resolv.conf's search list; wget resolves through it like an application.
    `out=$(wget -T 5 -q -O /dev/null http://${service}/ 2>&1); case "$out" in *"bad address"*) rc=1;; *) rc=0;; esac; ${report('dns-short')}`,
    resolve('dns-full', full),
    // "api-addr env HOST:PORT" or "api-addr name NAME:443": how the API server was addressed, for the verdict. Any
    // HTTP status (401 included) means TCP and TLS reached the API server; wget exits 1 on a 401 too.
    `if [ -n "$KUBERNETES_SERVICE_HOST" ]; then case "$KUBERNETES_SERVICE_HOST" in *:*) a="[$KUBERNETES_SERVICE_HOST]";; *) a="$KUBERNETES_SERVICE_HOST";; esac; a="$a:\${KUBERNETES_SERVICE_PORT:-443}"; how=env; else a="kubernetes.default.svc.${clusterDomain}:443"; how=name; fi; ` +
      `out=$(wget -T 5 --no-check-certificate -q -O /dev/null "https://$a/healthz" 2>&1); rc=$?; case "$out" in *"HTTP/1."*) rc=0;; esac; ` +
      `printf 'NODEGATE api-addr %s %s\\n%s\\nNODEGATE api-tls rc=%s\\n' "$how" "$a" "$out" "$rc"`,
    `out=$(wget -T 5 -q -O /dev/null http://${serviceIp === undefined ? full : urlHost(serviceIp)}/ 2>&1); rc=$?; ${report('http')}`,
  ]);
  return probePod({ name, role: 'client', image, script });
}

/**
 * A client for NET-5.4.1/5.4.2: up to `attempts` requests 2 s apart, stopping at the first that reaches the
 * outcome waited for (a policy takes a moment to be programmed, and as long to be removed).
 */
export function policyClientPod(name: string, role: 'blocked' | 'restored', image: string, url: string, attempts = 3): V1Pod {
  const stop = role === 'blocked' ? '[ $rc -ne 0 ] && break' : '[ $rc -eq 0 ] && break';
  const script = `i=0; while [ $i -lt ${attempts} ]; do i=$((i+1)); wget -T 5 -q -O /dev/null ${url} 2>&1; rc=$?; echo "NODEGATE http rc=$rc"; ${stop}; sleep 2; done`;
  return probePod({ name, role, image, script });
}

/** The guide's memory bomb (limit 200Mi, allocating 500M), bounded by --timeout so an unenforced limit ends too. */
export function bombPod(name: string, image: string, timeoutSeconds: number): V1Pod {
  const pod = probePod({ name, role: 'bomb', image, script: `exec stress --vm 1 --vm-bytes 500M --vm-hang 1 --timeout ${timeoutSeconds}s`, resources: { requests: { memory: '100Mi', cpu: '10m' }, limits: { memory: '200Mi', cpu: '500m' } } });
  return pod;
}

/**
 * RES-6.2.3: a pod with limits 128Mi/200m prints its own cgroup files: v2's memory.max and cpu.max, and v1's
 * memory.limit_in_bytes and cpu.cfs_quota_us/cfs_period_us where runc mounts the container's v1 cgroups (a node on
 * cgroup v1 has no v2 files, and the reverse); each line carries the file's content or cat's error.
 */
export function limitsPod(name: string, image: string): V1Pod {
  const script = cgroupLimitFiles.map((f) => `echo "NODEGATE ${f} $(cat /sys/fs/cgroup/${f} 2>&1)"`).join('\n');
  return probePod({ name, role: 'limits', image, script, resources: { requests: { memory: '128Mi', cpu: '200m' }, limits: { memory: '128Mi', cpu: '200m' } } });
}

/**
 * SEC-4.2.5: serve HTTP and fetch it (the workload runs and answers), then try unshare(2), which the guide's
 * profile denies; the errno's text is in the output. Under localhost/<profile>, or, for the control that proves
 * the image and script run on this node at all, under RuntimeDefault. The calls are kept few on purpose: no
 * mkdir (the guide's profile denies it), httpd in the foreground of a background job, busybox nc as the client.
 */
export function seccompPod(name: string, image: string, profile: string | undefined): V1Pod {
  const script = [
    'echo nodegate-seccomp-ok >/tmp/index.html',
    'httpd -f -p 127.0.0.1:8080 -h /tmp &',
    // Retried while httpd starts listening (10 × 0.5 s).
    mark('http', '(i=0; until printf "GET /index.html HTTP/1.0\\r\\n\\r\\n" | nc -w 5 127.0.0.1 8080 | grep -q nodegate-seccomp-ok; do i=$((i+1)); [ $i -lt 10 ] || exit 1; sleep 0.5; done)'),
    mark('unshare', 'unshare -U true'),
  ].join('\n');
  return probePod({ name, role: 'seccomp', image, script, seccomp: profile === undefined ? { type: 'RuntimeDefault' } : { type: 'Localhost', localhostProfile: profile } });
}

/** A pod that Pod Security baseline/restricted must refuse: SEC-4.3.4 (hostPath) and 4.3.5 (privileged). */
export function forbiddenPod(kind: 'hostpath' | 'privileged', image: string): V1Pod {
  const base: V1Pod = { metadata: { name: `nodegate-dry-run-${kind}` }, spec: { containers: [{ name: 'c', image, command: ['true'] }] } };
  if (kind === 'hostpath') {
    return { ...base, spec: { ...base.spec, containers: [{ name: 'c', image, command: ['true'], volumeMounts: [{ name: 'host', mountPath: '/host' }] }], volumes: [{ name: 'host', hostPath: { path: '/' } }] } };
  }
  return { ...base, spec: { ...base.spec, containers: [{ name: 'c', image, command: ['true'], securityContext: { privileged: true } }] } };
}

/** "NODEGATE key rc=N" lines from a log: the last value per key (a retried request reports each attempt). */
export function markers(log: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of log.split('\n')) {
    const m = /^NODEGATE (\S+) (.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) out.set(m[1] === 'status' ? `status ${m[2].split(':')[0] ?? ''}` : m[1], m[1] === 'status' ? m[2].slice(m[2].indexOf(':') + 1).trim() : m[2].trim());
  }
  return out;
}

/** Every value of one key, in order (the attempts of a retried request). */
export function markerValues(log: string, key: string): string[] {
  return log
    .split('\n')
    .map((l) => /^NODEGATE (\S+) (.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m?.[1] === key)
    .map((m) => (m[2] ?? '').trim());
}
