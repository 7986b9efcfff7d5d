// Every KUBELET-3.* evaluator (and RT-2.2.4) over replayed facts: a compliant kubeadm worker passes, one drift
// at a time fails, and the message names the layer or file the value came from.
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { kubeletEvaluators } from '../../src/evaluate/kubelet/index.ts';
import { kubeletChecks, kubeletRuntimeChecks } from '../../src/catalog/kubelet.ts';
import type { FileFact, RunnerFacts } from '../../src/facts/types.ts';
import type { HttpProbe } from '../../src/facts/runner-probe.ts';
import { file, missing, notFound, ran } from '../support/facts.ts';
import { cmdlineOutput, compliantArgv, compliantConfig, hardeningDropIn, kdrift, kubeletCompliantFacts, type WithRunner } from '../support/kubelet-facts.ts';

const profile = profileSchema.parse(defaultProfile);
const check = (id: string) => {
  const e = kubeletEvaluators[id];
  if (!e) throw new Error(`no evaluator for ${id}`);
  return (facts: WithRunner) => e(facts, profile);
};
const cfg = '/var/lib/kubelet/config.yaml';
const withConfig = (text: string) => kdrift(kubeletCompliantFacts(), { files: { [cfg]: file(text, 0o600) } });
const withArgs = (...extra: string[]) => kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, ...extra])) } });
/** The compliant config with one top-level line replaced (or appended). */
const edit = (key: string, line: string | null): string => {
  const lines = compliantConfig.split('\n').filter((l) => !l.startsWith(`${key}:`));
  return [...lines.filter((l) => l !== ''), ...(line === null ? [] : [line]), ''].join('\n');
};

describe('the table covers the catalog', () => {
  it('has an evaluator for every declared ID, and a compliant node passes all but the absent kube-proxy', () => {
    const ids = [...kubeletChecks, ...kubeletRuntimeChecks].map((c) => c.id);
    expect(Object.keys(kubeletEvaluators).sort()).toEqual([...ids].sort());
    expect(kubeletRuntimeChecks[0]).toMatchObject({ id: 'RT-2.2.4', area: 'runtime' });
    const facts = kubeletCompliantFacts();
    const notPass = Object.entries(kubeletEvaluators)
      .map(([id, e]) => [id, e(facts, profile)] as const)
      .filter(([, v]) => v.status !== 'pass')
      .map(([id, v]) => `${id} ${v.status}`);
    expect(notPass).toEqual(['KUBELET-3.2.5 skip']);
  });
});

describe('KUBELET-3.1.x packages and service', () => {
  it('3.1.1 fails naming the package that is not held, skips without apt', () => {
    const v = check('KUBELET-3.1.1')(kdrift(kubeletCompliantFacts(), { commands: { 'dpkg-kube-packages': ran('ii  kubeadm\nii  kubectl\nhi  kubelet\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('kubeadm, kubectl are not held');
    expect(check('KUBELET-3.1.1')(kdrift(kubeletCompliantFacts(), { commands: { 'dpkg-kube-packages': notFound } })).status).toBe('skip');
  });
  it('3.1.3 fails a crash-looping kubelet with its journal', () => {
    const v = check('KUBELET-3.1.3')(
      kdrift(kubeletCompliantFacts(), {
        commands: {
          'kubelet-is-active': ran('activating\n', 3),
          'kubelet-journal': ran('2026-11-27T10:00:00+0000 worker-01 kubelet[900]: E1127 run.go:72] "command failed" err="failed to run Kubelet: invalid configuration: cgroup-driver"\n'),
        },
      }),
    );
    expect(v.status).toBe('fail');
    expect(v.message).toContain('crash-looping');
    expect(v.message).toContain('invalid configuration: cgroup-driver');
  });
});

describe('KUBELET-3.2.x file permissions', () => {
  const at = (path: string, f: FileFact) => kdrift(kubeletCompliantFacts(), { files: { [path]: f } });
  it('3.2.1 fails a drop-in at 644 and names it', () => {
    const p = '/lib/systemd/system/kubelet.service.d/10-kubeadm.conf';
    const v = check('KUBELET-3.2.1')(at(p, file('[Service]\n', 0o644)));
    expect(v.status).toBe('fail');
    expect(v.message).toContain(`${p}: mode 0644 grants 0044 beyond 0600`);
  });
  it('3.2.2 fails a group-readable kubeconfig, read as a hash only', () => {
    const v = check('KUBELET-3.2.2')(at('/etc/kubernetes/kubelet.conf', { state: 'present', type: 'file', mode: 0o640, uid: 0, gid: 0, size: 1, sha256: 'b'.repeat(64) }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/etc/kubernetes/kubelet.conf: mode 0640');
  });
  it('3.2.3 fails a CA owned by another user', () => {
    const v = check('KUBELET-3.2.3')(at('/etc/kubernetes/pki/ca.crt', { state: 'present', type: 'file', mode: 0o644, uid: 1000, gid: 0, size: 1 }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('owner 1000:0');
  });
  it('3.2.3 is an error when round two did not stat the CA', () => {
    const facts = kubeletCompliantFacts();
    const files = { ...facts.files };
    delete files['/etc/kubernetes/pki/ca.crt'];
    expect(check('KUBELET-3.2.3')({ ...facts, files }).status).toBe('error');
  });
  it('3.2.4 fails kubeadm\'s 644 config file', () => {
    const v = check('KUBELET-3.2.4')(at(cfg, file(compliantConfig, 0o644)));
    expect(v.status).toBe('fail');
    expect(v.message).toContain(`${cfg}: mode 0644`);
  });
  it('3.2.5 checks a present kube-proxy kubeconfig', () => {
    const v = check('KUBELET-3.2.5')(at('/var/lib/kube-proxy/kubeconfig.conf', { state: 'present', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1 }));
    expect(v.status).toBe('fail');
    const ok = check('KUBELET-3.2.5')(at('/var/lib/kube-proxy/kubeconfig.conf', { state: 'present', type: 'file', mode: 0o600, uid: 0, gid: 0, size: 1 }));
    expect(ok.status).toBe('pass');
  });
});

describe('KUBELET-3.3.x settings', () => {
  it('3.3.1 fails 10255 in the file, passes when the command line says 0, showing both layers', () => {
    const v = check('KUBELET-3.3.1')(withConfig(edit('readOnlyPort', 'readOnlyPort: 10255')));
    expect(v.status).toBe('fail');
    expect(v.source).toBe(`file:${cfg}`);
    const both = kdrift(withConfig(edit('readOnlyPort', 'readOnlyPort: 10255')), { commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, '--read-only-port=0'])) } });
    const p = check('KUBELET-3.3.1')(both);
    expect(p.status).toBe('pass');
    expect(p.source).toBe('cmdline (/proc/812/cmdline)');
    expect(p.message).toContain(`file:${cfg}: readOnlyPort: 10255`);
    expect(p.actual).toContain(`file:${cfg}: readOnlyPort: 10255`);
  });
  it('3.3.2 fails when the key is absent (default false), naming the default layer', () => {
    const v = check('KUBELET-3.3.2')(withConfig(edit('protectKernelDefaults', null)));
    expect(v.status).toBe('fail');
    expect(v.source).toContain('default (no key in /var/lib/kubelet/config.yaml');
  });
  it('3.3.3 fails 0 as unlimited, and the unset default 50', () => {
    const z = check('KUBELET-3.3.3')(withConfig(edit('eventRecordQPS', 'eventRecordQPS: 0')));
    expect(z.status).toBe('fail');
    expect(z.message).toContain('0 means unlimited');
    expect(check('KUBELET-3.3.3')(withConfig(edit('eventRecordQPS', null))).actual).toContain('50 (v1beta1 default)');
  });
  it('3.3.4 fails --anonymous-auth=true on the command line', () => {
    const v = check('KUBELET-3.3.4')(withArgs('--anonymous-auth=true'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('cmdline: --anonymous-auth=true ← wins');
  });
  it('3.3.5 fails AlwaysAllow', () => {
    const v = check('KUBELET-3.3.5')(withArgs('--authorization-mode=AlwaysAllow'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('exec into pods');
  });
  it('3.3.6 fails an empty client CA and a CA file that does not exist', () => {
    const text = compliantConfig.replace('    clientCAFile: /etc/kubernetes/pki/ca.crt\n', '');
    expect(check('KUBELET-3.3.6')(withConfig(text)).status).toBe('fail');
    const gone = check('KUBELET-3.3.6')(kdrift(kubeletCompliantFacts(), { files: { '/etc/kubernetes/pki/ca.crt': missing } }));
    expect(gone.status).toBe('fail');
    expect(gone.message).toContain('/etc/kubernetes/pki/ca.crt, which does not exist');
  });
  it('3.3.7 passes kubeadm\'s 0s in the file and fails --streaming-connection-idle-timeout=0', () => {
    expect(check('KUBELET-3.3.7')(kubeletCompliantFacts()).actual).toContain('0s → the kubelet\'s default 4h0m0s');
    const v = check('KUBELET-3.3.7')(withArgs('--streaming-connection-idle-timeout=0'));
    expect(v.status).toBe('fail');
    expect(v.source).toBe('cmdline (/proc/812/cmdline)');
    expect(v.message).toContain('disables the idle timeout');
  });
  it('3.3.8 fails makeIPTablesUtilChains: false', () => {
    expect(check('KUBELET-3.3.8')(withConfig(edit('makeIPTablesUtilChains', 'makeIPTablesUtilChains: false'))).status).toBe('fail');
  });
  it('3.3.9 passes an override equal to the node name and fails another', () => {
    expect(check('KUBELET-3.3.9')(withArgs('--hostname-override=worker-01')).status).toBe('pass');
    const v = check('KUBELET-3.3.9')(withArgs('--hostname-override', 'node-7'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('"node-7"');
  });
  it('3.3.10 passes a cert pair and fails neither', () => {
    const none = withConfig(edit('serverTLSBootstrap', null));
    expect(check('KUBELET-3.3.10')(none).status).toBe('fail');
    const pair = withConfig(edit('serverTLSBootstrap', 'tlsCertFile: /var/lib/kubelet/pki/kubelet.crt\ntlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key'));
    expect(check('KUBELET-3.3.10')(pair).status).toBe('pass');
  });
  it('3.3.11 fails --rotate-certificates=false', () => {
    expect(check('KUBELET-3.3.11')(withArgs('--rotate-certificates=false')).status).toBe('fail');
  });
  it('3.3.12 fails a gate turned off on the command line', () => {
    const v = check('KUBELET-3.3.12')(withArgs('--feature-gates=RotateKubeletServerCertificate=false'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('featureGates turns RotateKubeletServerCertificate off (cmdline)');
  });
  it('3.3.13 fails a CBC suite and an unset list', () => {
    const v = check('KUBELET-3.3.13')(withArgs('--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('TLS_RSA_WITH_AES_128_CBC_SHA is not in');
    expect(check('KUBELET-3.3.13')(withConfig(compliantConfig.replace(/tlsCipherSuites:\n(- .*\n)+/, ''))).status).toBe('fail');
  });
  it('3.3.13 takes the IANA names of the ChaCha20 suites as the profile\'s older spelling, as the kubelet does', () => {
    const suites = 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256';
    expect(check('KUBELET-3.3.13')(withArgs(`--tls-cipher-suites=${suites}`)).status).toBe('pass');
    const v = check('KUBELET-3.3.13')(withArgs('--tls-cipher-suites=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA384'));
    expect(v.status).toBe('fail');
  });
  it('3.3.14 fails the -1 default', () => {
    const v = check('KUBELET-3.3.14')(withConfig(edit('podPidsLimit', null)));
    expect(v.status).toBe('fail');
    expect(v.actual).toContain('-1 (v1beta1 default)');
  });
  it('3.3.15 fails seccompDefault: false', () => {
    expect(check('KUBELET-3.3.15')(withConfig(edit('seccompDefault', 'seccompDefault: false'))).status).toBe('fail');
  });
  it('a value of the wrong type fails: the kubelet refuses the file', () => {
    const v = check('KUBELET-3.3.1')(withConfig(edit('readOnlyPort', 'readOnlyPort: "0"')));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('refuses to load the file');
  });
});

describe('KUBELET-3.3.16 hardening drop-in', () => {
  const dropIn = '/etc/systemd/system/kubelet.service.d/20-hardening.conf';
  const withDropIn = (etcDefault: string, argv: readonly string[]) =>
    kdrift(kubeletCompliantFacts(), {
      files: { [dropIn]: file(hardeningDropIn, 0o600), '/etc/default/kubelet': file(etcDefault) },
      dirs: { '/etc/systemd/system/kubelet.service.d': { state: 'present', entries: ['20-hardening.conf'] } },
      commands: { 'kubelet-cmdline': ran(cmdlineOutput(argv)) },
    });
  it('fails naming /etc/default/kubelet when its KUBELET_EXTRA_ARGS= wins', () => {
    const v = check('KUBELET-3.3.16')(withDropIn('KUBELET_EXTRA_ARGS=\n', compliantArgv));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('The file whose KUBELET_EXTRA_ARGS wins is /etc/default/kubelet');
    expect(v.message).toContain('--read-only-port=0: it is absent');
  });
  it('passes when /etc/default/kubelet does not set the variable and the flags run', () => {
    const v = check('KUBELET-3.3.16')(withDropIn('', [...compliantArgv, '--protect-kernel-defaults=true', '--event-qps=5', '--read-only-port=0']));
    expect(v.status).toBe('pass');
  });
  it('fails a running kubelet that predates a correct drop-in', () => {
    const v = check('KUBELET-3.3.16')(withDropIn('', compliantArgv));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('daemon-reload');
  });
});

describe('KUBELET-3.3.17 kubeadm settings kept', () => {
  it('fails the guide\'s tee\'d file, listing what was lost', () => {
    const v = check('KUBELET-3.3.17')(withConfig('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 110\n'));
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('lost: cgroupDriver, clusterDNS, clusterDomain, authentication.x509.clientCAFile, authentication.webhook.enabled, authorization.mode (0 of 6 kept)');
    expect(v.message).toContain(cfg);
  });
});

describe('KUBELET-3.4.x resources', () => {
  it('3.4.1 compares quantities by value (1024Mi = 1Gi) and fails a wrong cpu', () => {
    expect(check('KUBELET-3.4.1')(withConfig(compliantConfig.replace('memory: "1Gi"\n  ephemeral-storage: "1Gi"\nkubeReserved', 'memory: "1024Mi"\n  ephemeral-storage: "1Gi"\nkubeReserved'))).status).toBe('pass');
    const v = check('KUBELET-3.4.1')(withConfig(compliantConfig.replace('cpu: "500m"', 'cpu: "250m"')));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('cpu is 250m, want 500m');
  });
  it('3.4.2 fails when absent', () => {
    const v = check('KUBELET-3.4.2')(withConfig(compliantConfig.replace(/kubeReserved:\n(  .*\n)+/, '')));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('cpu is not set');
  });
  it('3.4.3 fails the kubelet defaults (100Mi)', () => {
    const v = check('KUBELET-3.4.3')(withConfig(compliantConfig.replace(/evictionHard:\n(  .*\n)+/, '')));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('memory.available is 100Mi, want 500Mi');
  });
  it('3.4.4 passes 90s for 1m30s and fails a missing grace period', () => {
    expect(check('KUBELET-3.4.4')(withConfig(compliantConfig.replace('"1m30s"', '"90s"'))).status).toBe('pass');
    const v = check('KUBELET-3.4.4')(withConfig(compliantConfig.replace('  nodefs.available: "2m"\n', '')));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('nodefs.available is not set (want 2m)');
  });
  it('3.4.5 fails --max-pods=250 on the command line', () => {
    const v = check('KUBELET-3.4.5')(withArgs('--max-pods=250'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('cmdline: --max-pods=250 ← wins');
  });
});

describe('KUBELET-3.5.1 read-only port listener', () => {
  it('fails a listener on :10255 and an open runner probe', () => {
    const facts = kdrift(kubeletCompliantFacts(), {
      commands: { 'ss-listeners': ran('LISTEN 0 4096 *:10255 *:* users:(("kubelet",pid=812,fd=23))\n') },
      runner: { tcp: { 10255: 'open' } },
    });
    const v = check('KUBELET-3.5.1')(facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the node listens on :10255 (*:10255 by users:(("kubelet",pid=812,fd=23)))');
    expect(v.message).toContain('TCP connect from the runner');
  });
  it('is an error, not a pass, when the runner probe did not run', () => {
    const v = check('KUBELET-3.5.1')(kdrift(kubeletCompliantFacts(), { runner: null }));
    expect(v.status).toBe('error');
    expect(v.message).toContain('was not run');
  });
  it('falls back to /proc/net/tcp when ss is not installed', () => {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const facts = kdrift(kubeletCompliantFacts(), {
      commands: { 'ss-listeners': notFound },
      files: {
        '/proc/net/tcp': file(`${header}   0: 00000000:280F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1207 1\n   1: 0100007F:280F 0A00000A:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1208 1\n`, 0o444),
        '/proc/net/tcp6': file(header, 0o444),
      },
    });
    const v = check('KUBELET-3.5.1')(facts);
    expect(v.status).toBe('fail');
    expect(v.source).toContain('/proc/net/tcp');
    expect(v.actual).toContain('listening: 00000000:10255');
    const quiet = kdrift(facts, { files: { '/proc/net/tcp': file(header, 0o444) } });
    expect(check('KUBELET-3.5.1')(quiet).status).toBe('pass');
  });
  it('passes a timeout from the runner', () => {
    expect(check('KUBELET-3.5.1')(kdrift(kubeletCompliantFacts(), { runner: { tcp: { 10255: 'timeout' } } })).status).toBe('pass');
  });
  // Live runs record the runner half as an HTTP GET of /healthz (RunnerFacts.http); the read-only server answers
  // it with "ok" (pkg/kubelet/server/server.go: InstallDefaultHandlers puts healthz on the read-only server too).
  const withHttp = (http: HttpProbe, extra: Partial<RunnerFacts> = {}): WithRunner => ({ ...kubeletCompliantFacts(), runner: { ...extra, http: { 10255: http } } });
  it('fails a kubelet answering GET /healthz from the runner, though the node shows no listener', () => {
    const v = check('KUBELET-3.5.1')(withHttp({ kind: 'http', status: 200, body: 'ok' }));
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('no listener on :10255; runner GET /healthz: HTTP 200');
    expect(v.message).toBe('a kubelet answers GET http://NODE:10255/healthz (HTTP 200 "ok"): the read-only port is serving. See KUBELET-3.3.1 for the setting.');
  });
  it('passes a TCP-only answer with no listener on the node, naming the forward: the kubelet is in the node\'s socket table whenever it serves', () => {
    const v = check('KUBELET-3.5.1')(withHttp({ kind: 'no-http', detail: 'connected, but no HTTP answer within 3000ms' }));
    expect(v.status).toBe('pass');
    expect(v.actual).toBe('no listener on :10255; runner GET /healthz: TCP open, no HTTP answer: connected, but no HTTP answer within 3000ms');
    expect(v.message).toContain('port 10255 accepts TCP but does not answer HTTP');
    expect(v.message).toContain('a forward or another program, not a kubelet');
    expect(v.message).toContain('the node itself has no listener on :10255, so the kubelet\'s read-only API is not served there: something between the runner and the node (a port forward, load balancer or NAT) accepts the connection');
  });
  it('fails a TCP-only answer with a listener on the node as another program holding the port', () => {
    const facts = kdrift(withHttp({ kind: 'no-http', detail: 'connected, but the peer did not speak HTTP (HPE_INVALID_CONSTANT)' }), {
      commands: { 'ss-listeners': ran('LISTEN 0 128 0.0.0.0:10255 0.0.0.0:* users:(("socat",pid=901,fd=5))\n') },
    });
    const v = check('KUBELET-3.5.1')(facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the node listens on :10255 (0.0.0.0:10255 by users:(("socat",pid=901,fd=5))), and what answers there is not the kubelet\'s read-only API');
    expect(v.message).not.toContain('the unauthenticated read-only API is served');
  });
  it('an HTTP answer that is not the kubelet\'s /healthz: passes as a forward with no node listener, fails with one', () => {
    const other = withHttp({ kind: 'http', status: 404, body: 'not found' });
    const v = check('KUBELET-3.5.1')(other);
    expect(v.status).toBe('pass');
    expect(v.message).toContain("something answers HTTP on :10255 (HTTP 404), not the kubelet's /healthz");
    const held = check('KUBELET-3.5.1')(kdrift(other, { commands: { 'ss-listeners': ran('LISTEN 0 511 *:10255 *:* users:(("nginx",pid=77,fd=6))\n') } }));
    expect(held.status).toBe('fail');
    expect(held.message).toContain("something answers HTTP on :10255 (HTTP 404), not the kubelet's /healthz");
    expect(held.message).toContain('another program holds the port');
  });
  it('passes a refused or timed-out GET, and the GET wins over a recorded TCP connect', () => {
    expect(check('KUBELET-3.5.1')(withHttp({ kind: 'refused' })).status).toBe('pass');
    expect(check('KUBELET-3.5.1')(withHttp({ kind: 'timeout' })).status).toBe('pass');
    const v = check('KUBELET-3.5.1')(withHttp({ kind: 'refused' }, { tcp: { 10255: 'open' } }));
    expect(v.status).toBe('pass');
    expect(v.source).toContain('runner GET http://NODE:10255/healthz');
  });
  it('is an error when the runner could not reach the node to send the GET', () => {
    const v = check('KUBELET-3.5.1')(withHttp({ kind: 'unreachable', detail: 'ENOTFOUND getaddrinfo ENOTFOUND node-1' }));
    expect(v.status).toBe('error');
    expect(v.message).toContain('the runner could not reach the node to probe it (not reached: ENOTFOUND');
  });
  it('still judges the node half first: a node listener fails even when the GET is refused', () => {
    const facts = kdrift(withHttp({ kind: 'refused' }), { commands: { 'ss-listeners': ran('LISTEN 0 4096 *:10255 *:* users:(("kubelet",pid=812,fd=23))\n') } });
    const v = check('KUBELET-3.5.1')(facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the unauthenticated read-only API is served');
  });
});

describe('RT-2.2.4 cgroup drivers agree (the kubelet\'s own setting decides: containerd 1.7 has no RuntimeConfig)', () => {
  // With containerd 2.x and kubelet 1.31 the driver comes from the CRI: test/unit/kubelet-cgroup-driver.test.ts.
  const on17 = (config: string) =>
    kdrift(withConfig(config), {
      commands: { 'containerd-version': ran('containerd github.com/containerd/containerd v1.7.29 abc\n'), 'ctr-version': ran('Client:\n  Version:  v1.7.29\n\nServer:\n  Version:  v1.7.29\n') },
    });
  it('fails a cgroupfs kubelet against a systemd containerd', () => {
    const v = check('RT-2.2.4')(on17(compliantConfig.replace('cgroupDriver: systemd', 'cgroupDriver: cgroupfs')));
    expect(v.status).toBe('fail');
    expect(v.message).toContain(`the kubelet uses cgroupfs (file:${cfg})`);
    expect(v.message).toContain('falls back to its setting');
  });
  it('fails the v1beta1 default cgroupfs when the key was lost', () => {
    const v = check('RT-2.2.4')(on17(edit('cgroupDriver', null)));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the kubelet uses cgroupfs (default)');
  });
  it('errors when containerd\'s config cannot be read', () => {
    const v = check('RT-2.2.4')(kdrift(kubeletCompliantFacts(), { files: { '/etc/containerd/config.toml': { state: 'unreadable', error: 'Permission denied' } } }));
    expect(v.status).toBe('error');
  });
});
