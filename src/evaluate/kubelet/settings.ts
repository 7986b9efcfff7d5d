// KUBELET-3.3.1–3.3.15: single effective settings compared as typed values against the profile.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { formatDuration } from '../../kubelet/duration.ts';
import { describeWinner } from '../../kubelet/effective.ts';
import type { Typed } from '../../kubelet/fields.ts';
import { parseGoBool } from '../../kubelet/flags.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { configSource, effective, settingSource, settingVerdict } from './evidence.ts';

const isBool = (v: Typed | undefined, want: boolean): boolean => v?.type === 'bool' && v.value === want;
const boolCheck = (field: string, want: boolean, consequence: string) => (facts: NodeFacts): Verdict =>
  settingVerdict(facts, field, `${field} = ${want}`, (v) => (isBool(v, want) ? null : consequence));

export const evaluateReadOnlyPort = (facts: NodeFacts, profile: Profile): Verdict => {
  const want = profile.kubelet.readOnlyPort;
  return settingVerdict(facts, 'readOnlyPort', `readOnlyPort = ${want}`, (v) =>
    v?.type === 'int' && v.value === want ? null : `the kubelet serves its unauthenticated read-only API on that port (pods, node status) to anyone who can reach the node`,
  );
};

export const evaluateProtectKernelDefaults = (facts: NodeFacts, profile: Profile): Verdict => {
  const want = profile.kubelet.protectKernelDefaults;
  return settingVerdict(facts, 'protectKernelDefaults', `protectKernelDefaults = ${want}`, (v) =>
    isBool(v, want) ? null : want ? 'the kubelet silently tolerates kernel tunables that differ from what it needs' : 'the profile expects it off',
  );
};

export const evaluateEventQPS = (facts: NodeFacts, profile: Profile): Verdict => {
  const want = profile.kubelet.eventRecordQPS;
  return settingVerdict(facts, 'eventRecordQPS', `eventRecordQPS = ${want}`, (v) => {
    if (v?.type === 'int' && v.value === want) return null;
    if (v?.type === 'int' && v.value === 0) return '0 means unlimited: a pod can flood the API server with events';
    return `the profile limits events to ${want} per second`;
  });
};

export const evaluateAnonymousAuth = boolCheck('authentication.anonymous.enabled', false, 'requests without credentials reach the kubelet API as system:anonymous');

export const evaluateAuthorizationMode = (facts: NodeFacts, profile: Profile): Verdict => {
  const want = profile.kubelet.authorizationMode;
  return settingVerdict(facts, 'authorization.mode', `authorization.mode = ${want}`, (v) =>
    v?.type === 'string' && v.value === want ? null : v?.type === 'string' && v.value === 'AlwaysAllow' ? 'every authenticated request may exec into pods and read their logs' : `the profile requires ${want}`,
  );
};

export function evaluateClientCA(facts: NodeFacts): Verdict {
  const field = 'authentication.x509.clientCAFile';
  const expected = `${field} set and the file exists`;
  const base = settingVerdict(facts, field, expected, (v) => (v?.type === 'string' && v.value !== '' ? null : 'without a client CA the kubelet cannot authenticate the API server\'s client certificate'));
  if (base.status !== 'pass') return base;
  const eff = effective(facts);
  const v = eff.setting(field).value;
  const path = v?.type === 'string' ? v.value : '';
  const f = facts.files[path];
  const ev = { expected: base.expected, actual: base.actual, source: base.source };
  if (f === undefined) return error(ev, `${path} was not stat'ed by the probe (it is stat'ed in the probe's second round)`);
  if (f.state === 'unreadable') return error(ev, `${path} cannot be stat'ed: ${f.error}`);
  if (f.state === 'missing') return fail({ ...ev, actual: `${base.actual}; file missing` }, `${field} names ${path}, which does not exist: the kubelet fails to start (or cannot verify the API server's client certificates). ${base.message}`.trim());
  return base;
}

export const evaluateStreamingTimeout = (facts: NodeFacts): Verdict =>
  settingVerdict(facts, 'streamingConnectionIdleTimeout', 'streamingConnectionIdleTimeout > 0 (a zero in the file means the 4h default)', (v) =>
    v?.type === 'duration' && v.ns > 0n ? null : `${v?.type === 'duration' ? formatDuration(v.ns) : 'this'} on the command line disables the idle timeout: exec and port-forward streams stay open forever`,
  );

export const evaluateIptablesChains = boolCheck('makeIPTablesUtilChains', true, 'the kubelet no longer maintains its iptables chains (KUBE-FIREWALL drops), so they drift');

export function evaluateHostnameOverride(facts: NodeFacts, profile: Profile): Verdict {
  const eff = effective(facts);
  const name = profile.node.name;
  const expected = `no --hostname-override, or it equals ${name}`;
  if (!eff.commandLine) return error({ expected, actual: 'unknown', source: configSource(eff) }, eff.blocking.join('; '));
  const f = eff.flag('hostname-override');
  const source = `cmdline (${eff.commandLine.source})`;
  if (!f) return pass({ expected, actual: 'no --hostname-override', source });
  const actual = `${f.raw}${f.origin ? ` (from ${f.origin.file})` : ''}`;
  if ((f.value ?? '').toLowerCase() === name.toLowerCase()) return pass({ expected, actual, source });
  return fail({ expected, actual, source }, `${f.raw} registers the node as "${f.value ?? ''}", not ${name}: TLS bootstrap and the NodeRestriction admission plugin then see another name than the host's.`);
}

export function evaluateServingCert(facts: NodeFacts): Verdict {
  const eff = effective(facts);
  const expected = 'tlsCertFile and tlsPrivateKeyFile set, or serverTLSBootstrap = true';
  if (eff.blocking.length > 0) return error({ expected, actual: 'unknown', source: configSource(eff) }, eff.blocking.join('; '));
  const cert = eff.setting('tlsCertFile');
  const key = eff.setting('tlsPrivateKeyFile');
  const boot = eff.setting('serverTLSBootstrap');
  const set = (v: Typed | undefined): boolean => v?.type === 'string' && v.value !== '';
  const actual = `tlsCertFile = ${describeWinner(cert)}; tlsPrivateKeyFile = ${describeWinner(key)}; serverTLSBootstrap = ${describeWinner(boot)}`;
  const source = [cert, key, boot].map((s) => settingSource(eff, s)).filter((x, i, a) => a.indexOf(x) === i).join('; ');
  if (isBool(boot.value, true) || (set(cert.value) && set(key.value))) return pass({ expected, actual, source });
  return fail({ expected, actual, source }, 'the kubelet serves its API with a self-signed certificate that clients cannot verify. Set serverTLSBootstrap: true (and approve the kubelet-serving CSRs) or give it a certificate signed by the cluster CA.');
}

export const evaluateRotateCertificates = boolCheck('rotateCertificates', true, 'the kubelet\'s client certificate expires after a year and the node drops out of the cluster');

export function evaluateServerRotation(facts: NodeFacts): Verdict {
  const eff = effective(facts);
  const expected = 'RotateKubeletServerCertificate not false and serverTLSBootstrap = true';
  if (eff.blocking.length > 0) return error({ expected, actual: 'unknown', source: configSource(eff) }, eff.blocking.join('; '));
  const gates = eff.setting('featureGates');
  const boot = eff.setting('serverTLSBootstrap');
  const gateText = gates.value?.type === 'map' ? gates.value.value['RotateKubeletServerCertificate'] : undefined;
  const gate = gateText === undefined ? undefined : parseGoBool(gateText);
  const actual = `RotateKubeletServerCertificate = ${gateText ?? '(default true)'}; serverTLSBootstrap = ${describeWinner(boot)}`;
  const source = [settingSource(eff, gates), settingSource(eff, boot)].filter((x, i, a) => a.indexOf(x) === i).join('; ');
  const problems: string[] = [];
  if (gate === false) problems.push(`featureGates turns RotateKubeletServerCertificate off (${gates.winner.label})`);
  if (!isBool(boot.value, true)) problems.push('serverTLSBootstrap is not true, so the serving certificate is never requested or renewed from the cluster');
  if (problems.length === 0) return pass({ expected, actual, source });
  return fail({ expected, actual, source }, `${problems.join('; ')}.`);
}

/**
 * Go 1.14 gave the ChaCha20 suites their IANA names (..._CHACHA20_POLY1305_SHA256); the kubelet's flag parser
 * (component-base cli/flag) accepts both spellings for the same suite, so both are compared in the old form.
 */
const cipherName = (name: string): string => name.replace(/_CHACHA20_POLY1305_SHA256$/, '_CHACHA20_POLY1305');

export const evaluateCipherSuites = (facts: NodeFacts, profile: Profile): Verdict => {
  const allowed = new Set(profile.kubelet.tlsCipherSuites.map(cipherName));
  return settingVerdict(facts, 'tlsCipherSuites', `tlsCipherSuites set and within the profile list (${allowed.size} ECDHE AEAD suites)`, (v) => {
    if (v?.type !== 'list' || v.value.length === 0) return 'unset, so the kubelet accepts Go\'s default suites, including CBC and RSA key exchange';
    const weak = v.value.filter((c) => !allowed.has(cipherName(c)));
    return weak.length === 0 ? null : `${weak.join(', ')} ${weak.length > 1 ? 'are' : 'is'} not in the profile's strong list`;
  });
};

export const evaluatePodPids = (facts: NodeFacts): Verdict =>
  settingVerdict(facts, 'podPidsLimit', 'podPidsLimit > 0', (v) => (v?.type === 'int' && v.value > 0 ? null : 'a pod can fork-bomb the node (-1 means unlimited)'));

export const evaluateSeccompDefault = boolCheck('seccompDefault', true, 'containers without a seccomp profile run Unconfined instead of RuntimeDefault');
