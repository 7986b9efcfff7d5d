// The kubelet's configuration built the way the kubelet builds it: pflag's parsing of the command line, the
// codec's YAML 1.1 decoding, --config-dir drop-ins merged by JSON merge patch per Kubernetes minor, and the flags
// re-parsed over the result. Each case cites the upstream source that defines the behaviour.
import { describe, expect, it } from 'vitest';
import { effectiveConfig } from '../../src/kubelet/effective.ts';
import { parseKubeletConfig } from '../../src/kubelet/config-file.ts';
import { formatTyped } from '../../src/kubelet/fields.ts';
import { parseKubeletArgs } from '../../src/kubelet/flags.ts';
import { kubeletVersion, parseDebVersion, parseKubeletVersion } from '../../src/kubelet/version.ts';
import { evaluateStreamingTimeout, evaluateReadOnlyPort } from '../../src/evaluate/kubelet/settings.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { file, ran } from '../support/facts.ts';
import { cmdlineOutput, compliantArgv, compliantConfig, kdrift, kubePackages, kubeletCompliantFacts } from '../support/kubelet-facts.ts';

const profile = profileSchema.parse(defaultProfile);
const confD = '/etc/kubernetes/kubelet.conf.d';
const head = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';
const version = (minor: number) => ({ 'dpkg-kube-packages': ran(kubePackages(`1.${minor}.4-1.1`)) });

/** The compliant node running with --config-dir and these drop-ins (name → body after the header). */
function withDropIns(dropIns: Record<string, string>, minor = 31, argv: readonly string[] = [...compliantArgv, `--config-dir=${confD}`]) {
  const files = Object.fromEntries(Object.entries(dropIns).map(([n, body]) => [`${confD}/${n}`, file(head + body)]));
  return kdrift(kubeletCompliantFacts(), {
    files,
    dirs: { [confD]: { state: 'present', entries: Object.keys(dropIns) } },
    commands: { 'kubelet-cmdline': ran(cmdlineOutput(argv)), ...version(minor) },
  });
}

describe('the command line as the kubelet flag set parses it (spf13/pflag, cliflag.WordSepNormalizeFunc)', () => {
  // cmd/kubelet/app/server.go (v1.31.0) NewKubeletCommand: cleanFlagSet.SetNormalizeFunc(cliflag.WordSepNormalizeFunc),
  // which replaces every "_" with "-" (component-base/cli/flag/flags.go WordSepNormalizeFunc).
  it('normalises _ to - in flag names, so --read_only_port is --read-only-port', () => {
    const p = parseKubeletArgs(['--read_only_port=10255', '--event_qps', '5']);
    expect(p.flags.map((f) => [f.name, f.value])).toEqual([['read-only-port', '10255'], ['event-qps', '5']]);
    const facts = kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, '--read_only_port=10255'])) } });
    expect(evaluateReadOnlyPort(facts, profile).status).toBe('fail');
  });

  // spf13/pflag flag.go parseLongArg: "--flag arg" takes the next word for any flag without NoOptDefVal, even one
  // that starts with "-"; "--flag" last with no value is "flag needs an argument".
  it('a value-taking flag takes the next word even when it looks like a flag; one left without a value stops the kubelet', () => {
    expect(parseKubeletArgs(['--read-only-port', '--event-qps=5']).flags).toEqual([{ name: 'read-only-port', value: '--event-qps=5', raw: '--read-only-port --event-qps=5', index: 0 }]);
    expect(parseKubeletArgs(['--config']).errors).toEqual(['--config: flag needs an argument']);
  });

  // spf13/pflag flag.go parseArgs: `if len(s) == 2 { // "--" terminates the flags`; the rest are arguments, and
  // server.go RunE returns "unknown command" for any argument.
  it('-- ends the flags: what follows is an argument the kubelet refuses', () => {
    const p = parseKubeletArgs(['--', '--read-only-port=0']);
    expect(p.flags).toEqual([]);
    expect(p.positional).toEqual(['--read-only-port=0']);
  });

  // pflag parseShortArg: a single dash is a run of one-letter flags; the kubelet defines only -v (klog) and -h.
  it('a single-dash long name is an unknown shorthand, -v=4 and -v 4 are klog verbosity', () => {
    expect(parseKubeletArgs(['-config=/x']).errors?.[0]).toContain("unknown shorthand flag 'c'");
    expect(parseKubeletArgs(['-v=4', '-v', '2']).flags.map((f) => [f.name, f.value])).toEqual([['v', '4'], ['v', '2']]);
    const facts = kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, '-read-only-port=0'])) } });
    expect(effectiveConfig(facts).blocking.join(' ')).toContain('the kubelet refuses to start');
  });

  // server.go kubeletConfigFlagPrecedence: "Add back feature gates that were set in the original kc, but not in flags".
  it('--feature-gates merges gate by gate into the file featureGates; the flag wins per gate', () => {
    const cfg = compliantConfig + 'featureGates:\n  KubeletCgroupDriverFromCRI: false\n  RotateKubeletServerCertificate: true\n';
    const facts = kdrift(kubeletCompliantFacts(), {
      files: { '/var/lib/kubelet/config.yaml': file(cfg) },
      commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, '--feature-gates=KubeletCgroupDriverFromCRI=true'])) },
    });
    const s = effectiveConfig(facts).setting('featureGates');
    expect(s.value).toEqual({ type: 'map', value: { KubeletCgroupDriverFromCRI: 'true', RotateKubeletServerCertificate: 'true' } });
    expect(s.note).toContain('gate by gate');
  });

  // component-base/cli/flag/map_string_string.go: the first Set of a re-parsed map flag replaces the map the file
  // filled (only feature gates are added back), later occurrences add keys.
  it('any other map flag replaces the file map', () => {
    const facts = kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, '--eviction-hard=memory.available<200Mi'])) } });
    expect(effectiveConfig(facts).setting('evictionHard').value).toEqual({ type: 'map', value: { 'memory.available': '200Mi' } });
  });
});

describe('config files decoded as the kubelet codec decodes them (sigs.k8s.io/yaml over go-yaml v2)', () => {
  // go-yaml v2 resolve.go resolve table: y/Y/yes/Yes/YES/on/On/ON are true, n/N/no/No/NO/off/Off/OFF false.
  it('reads YAML 1.1 booleans: yes, on, y, off', () => {
    const r = parseKubeletConfig(head + 'protectKernelDefaults: yes\nrotateCertificates: on\nseccompDefault: y\nserverTLSBootstrap: off\n');
    expect(r.ok && [r.object['protectKernelDefaults'], r.object['rotateCertificates'], r.object['seccompDefault'], r.object['serverTLSBootstrap']]).toEqual([true, true, true, false]);
  });

  // go-yaml v2 resolve.go: `plain := strings.Replace(in, "_", "", -1); intv, err := strconv.ParseInt(plain, 0, 64)`
  // — base 0: a leading 0 or 0o is octal; no sexagesimal; a timestamp-like value into interface{} stays a string.
  it('reads integers with strconv.ParseInt(s, 0, 64): 0755 and 0o755 octal, 1_000 a thousand; 1:30 and dates stay strings', () => {
    const r = parseKubeletConfig(head + 'readOnlyPort: 0o24017\npodPidsLimit: 01750\nmaxPods: 1_10\nclusterDomain: 1:30\nstaticPodURL: 2001-12-14\n');
    expect(r.ok && [r.object['readOnlyPort'], r.object['podPidsLimit'], r.object['maxPods'], r.object['clusterDomain'], r.object['staticPodURL']]).toEqual([10255, 1000, 110, '1:30', '2001-12-14']);
  });

  // sigs.k8s.io/yaml Unmarshal → yaml.Unmarshal decodes one document: later documents are never read.
  it('reads only the first document of a multi-document file, whatever the later ones hold', () => {
    const r = parseKubeletConfig(head + 'readOnlyPort: 0\n---\n' + head + 'readOnlyPort: 10255\n---\nbroken: [\n');
    expect(r.ok && r.object['readOnlyPort']).toBe(0);
  });

  // pkg/kubelet/kubeletconfig/util/codec/codec.go DecodeKubeletConfiguration: strict decoding first; on a strict
  // decoding error (duplicate or unknown fields) the lenient codec decodes it and the kubelet logs a warning. In
  // the lenient go-yaml v2 decode a duplicate key's last value wins.
  it('a duplicate key fails strict decoding, then the lenient fallback keeps the last value', () => {
    const r = parseKubeletConfig(head + 'readOnlyPort: 0\nnotAField: 1\nreadOnlyPort: 10255\n');
    expect(r).toMatchObject({ ok: true, object: { readOnlyPort: 10255 } });
    expect(r.ok && r.strictErrors.join(' ')).toMatch(/unique/i);
  });

  it('a wrong type fails both decoders: the kubelet refuses the file', () => {
    const facts = kdrift(kubeletCompliantFacts(), { files: { '/var/lib/kubelet/config.yaml': file(compliantConfig.replace('readOnlyPort: 0', 'readOnlyPort: "0"')) } });
    const s = effectiveConfig(facts).setting('readOnlyPort');
    expect(s.error).toContain('is not an integer');
  });
});

describe('--config-dir drop-ins merged as mergeKubeletConfigurations merges them', () => {
  // server.go (v1.31.0) mergeKubeletConfigurations: filepath.WalkDir (lexical order), only `filepath.Ext == ".conf"`,
  // jsonpatch.MergePatch of each over the JSON of the already-decoded configuration.
  it('applies drop-ins in lexical order over the file; files not ending in .conf are skipped', () => {
    const facts = withDropIns({ '10-a.conf': 'readOnlyPort: 10255\n', '20-b.conf': 'readOnlyPort: 10256\n', '30-c.yaml': 'readOnlyPort: 0\n' });
    const s = effectiveConfig(facts).setting('readOnlyPort');
    expect(s.value).toEqual({ type: 'int', value: 10256 });
    expect(s.winner.label).toBe(`drop-in:${confD}/20-b.conf`);
  });

  // server.go (v1.31.0) comment on mergeKubeletConfigurations: "Files in subdirectories are also processed in lexical
  // order" (filepath.WalkDir descends): a subdirectory the probe did not read makes the configuration unknown.
  it('a subdirectory of --config-dir blocks the verdicts: the kubelet reads files the probe did not', () => {
    const facts = kdrift(withDropIns({ '10-a.conf': 'readOnlyPort: 0\n' }), {
      files: { [`${confD}/20-more`]: { state: 'present', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 4096 } },
      dirs: { [confD]: { state: 'present', entries: ['10-a.conf', '20-more'] } },
    });
    const eff = effectiveConfig(facts);
    expect(eff.blocking).toEqual([`${confD}/20-more is a subdirectory of --config-dir: the kubelet walks into it and merges its .conf files, which the probe does not read`]);
    expect(evaluateReadOnlyPort(facts, profile).status).toBe('error');
  });

  // JSON merge patch (RFC 7386) merges objects key by key: docs "Kubelet Configuration Directory Merging" (maps
  // and structs merge, lists are replaced); loadConfigFile set DefaultEvictionHard when the file had none.
  it('maps merge key by key over the file (and the defaults the file left): a partial evictionHard keeps the rest', () => {
    const facts = withDropIns({ '50-eviction.conf': 'evictionHard:\n  memory.available: 1Gi\n' });
    const s = effectiveConfig(facts).setting('evictionHard');
    expect(s.value).toEqual({ type: 'map', value: { 'memory.available': '1Gi', 'nodefs.available': '10%', 'imagefs.available': '15%' } });
    expect(s.note).toContain('key by key');
  });

  it('lists are replaced whole', () => {
    const facts = withDropIns({ '50-ciphers.conf': 'tlsCipherSuites:\n- TLS_AES_128_GCM_SHA256\n' });
    expect(formatTyped(effectiveConfig(facts).setting('tlsCipherSuites').value)).toBe('[TLS_AES_128_GCM_SHA256]');
  });

  // v1.31 server.go: `json.Unmarshal(baseKubeletConfigJSON, kubeletConfig)` into the defaulted configuration, with no
  // defaulting after it, so a drop-in's zero stays zero; the main file's zero was defaulted by the codec
  // (v1beta1 SetDefaults_KubeletConfiguration: StreamingConnectionIdleTimeout zero → 4h).
  it('1.31: a zero duration in a drop-in stays zero, unlike the same zero in the main file', () => {
    const facts = withDropIns({ '90-idle.conf': 'streamingConnectionIdleTimeout: 0s\n' }, 31);
    const s = effectiveConfig(facts).setting('streamingConnectionIdleTimeout');
    expect(s.value).toEqual({ type: 'duration', ns: 0n });
    expect(s.defaulted).toBeUndefined();
    expect(s.note).toContain('not defaulted by Kubernetes 1.31');
    const v = evaluateStreamingTimeout(facts);
    expect(v.status).toBe('fail');
    const mainOnly = kdrift(kubeletCompliantFacts(), { commands: version(31) });
    expect(effectiveConfig(mainOnly).setting('streamingConnectionIdleTimeout')).toMatchObject({ defaulted: true, value: { type: 'duration', ns: 4n * 3_600_000_000_000n } });
  });

  // master server.go mergeKubeletConfigurations: "reset versioned config and decode" then "apply defaulting after
  // decoding" (SetDefaults_KubeletConfiguration) — the behaviour kubernetes/kubernetes#127445 saw land in the 1.32
  // cycle (the e2e expectation of a drop-in zero became the 10s default; fixed by #127449).
  it('1.32 and later: the merged result is defaulted, so the same zero becomes the default', () => {
    const facts = withDropIns({ '90-idle.conf': 'streamingConnectionIdleTimeout: 0s\n' }, 32);
    expect(effectiveConfig(facts).setting('streamingConnectionIdleTimeout')).toMatchObject({ defaulted: true, value: { type: 'duration', ns: 4n * 3_600_000_000_000n } });
  });

  it('a null in a drop-in deletes the key: nothing changes on 1.31, the default comes back on 1.32', () => {
    const cfg = { '50-null.conf': 'readOnlyPort: null\n' };
    const on31 = kdrift(withDropIns(cfg, 31), { files: { '/var/lib/kubelet/config.yaml': file(compliantConfig.replace('readOnlyPort: 0', 'readOnlyPort: 10255')) } });
    expect(effectiveConfig(on31).setting('readOnlyPort').value).toEqual({ type: 'int', value: 10255 });
    const on32 = kdrift(withDropIns(cfg, 32), { files: { '/var/lib/kubelet/config.yaml': file(compliantConfig.replace('readOnlyPort: 0', 'readOnlyPort: 10255')) } });
    expect(effectiveConfig(on32).setting('readOnlyPort').value).toEqual({ type: 'int', value: 0 });
  });

  // kubernetes/kubernetes#131355 (liggitt): "--config-dir merges the explicitly serialized json fields read from
  // individual drop-in files onto the base in-memory kubelet config, which either came from flags (with legacy flag
  // defaulting readOnlyPort to 10255) or from --config (with improved defaulting readOnlyPort to 0)".
  it('--config-dir without --config merges over the legacy flag defaults: the read-only port is 10255 unless a drop-in says 0', () => {
    const argv = compliantArgv.filter((a) => !a.startsWith('--config=')).concat(`--config-dir=${confD}`);
    const open = withDropIns({ '10-a.conf': 'maxPods: 90\n' }, 31, argv);
    expect(effectiveConfig(open).setting('readOnlyPort')).toMatchObject({ value: { type: 'int', value: 10255 }, winner: { kind: 'default', raw: 'flag default (no --config file)' } });
    expect(evaluateReadOnlyPort(open, profile).status).toBe('fail');
    const closed = withDropIns({ '10-a.conf': 'readOnlyPort: 0\n' }, 31, argv);
    expect(evaluateReadOnlyPort(closed, profile).status).toBe('pass');
  });

  // server.go RunE: drop-ins merge first, then kubeletConfigFlagPrecedence re-parses the flags over the result.
  it('flags still win over drop-ins', () => {
    const facts = withDropIns({ '10-a.conf': 'readOnlyPort: 10255\n' }, 31, [...compliantArgv, `--config-dir=${confD}`, '--read-only-port=0']);
    expect(effectiveConfig(facts).setting('readOnlyPort')).toMatchObject({ value: { type: 'int', value: 0 }, winner: { kind: 'cmdline' } });
  });

  // website kubelet-config-file.md: "For Kubernetes v1.28 to v1.29, you can only specify --config-dir if you also
  // set the environment variable KUBELET_CONFIG_DROPIN_DIR_ALPHA for the kubelet process"; the flag is 1.28's.
  it('1.28–1.29: a unit without KUBELET_CONFIG_DROPIN_DIR_ALPHA cannot start with --config-dir; 1.27 has no such flag', () => {
    const unitWith = (minor: number) =>
      kdrift(withDropIns({ '10-a.conf': 'readOnlyPort: 0\n' }, minor), {
        files: { '/var/lib/kubelet/kubeadm-flags.env': file(`KUBELET_KUBEADM_ARGS="--config-dir=${confD}"\n`) },
        commands: { 'kubelet-cmdline': ran('# pid: none\n') },
      });
    expect(effectiveConfig(unitWith(29)).blocking.join(' ')).toContain('KUBELET_CONFIG_DROPIN_DIR_ALPHA');
    expect(effectiveConfig(unitWith(30)).blocking).toEqual([]);
    // A running 1.29 kubelet proves the variable was there.
    expect(effectiveConfig(withDropIns({ '10-a.conf': 'readOnlyPort: 0\n' }, 29)).blocking).toEqual([]);
    expect(effectiveConfig(withDropIns({ '10-a.conf': 'readOnlyPort: 0\n' }, 27)).blocking.join(' ')).toContain('has no --config-dir flag');
  });
});

describe('the kubelet version the rules follow', () => {
  it('reads the installed kubelet package (pkgs.k8s.io "1.31.4-1.1", legacy "1.28.15-00"), else assumes the documented 1.31 and says so', () => {
    expect(parseDebVersion('1.31.4-1.1')).toEqual({ minor: 31, text: '1.31.4-1.1' });
    expect(parseDebVersion('1.28.15-00')).toEqual({ minor: 28, text: '1.28.15-00' });
    expect(kubeletVersion(kdrift(kubeletCompliantFacts(), { commands: version(33) }))).toMatchObject({ minor: 33, observed: true, text: 'v1.33 (package 1.33.4-1.1)' });
    const assumed = kubeletVersion(kdrift(kubeletCompliantFacts(), { commands: { 'dpkg-kube-packages': ran('hi  kubeadm 1.31.4-1.1\n', 1, 'dpkg-query: no packages found matching kubelet\n') } }));
    expect(assumed).toMatchObject({ minor: 31, observed: false, text: '1.31 (assumed)' });
    expect(assumed.why).toContain('no kubelet package is installed');
  });
  it('a `kubelet --version` line in replayed facts wins over the package', () => {
    expect(parseKubeletVersion('Kubernetes v1.30.14\n')).toEqual({ minor: 30, text: 'v1.30.14' });
    expect(kubeletVersion(kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-version': ran('Kubernetes v1.29.1\n') } }))).toMatchObject({ minor: 29, observed: true });
  });
});
