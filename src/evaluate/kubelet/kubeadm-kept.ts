// KUBELET-3.3.17: the guide's `tee /var/lib/kubelet/config.yaml` replaces kubeadm's file, so the keys kubeadm
// wrote (DNS, cgroup driver, API server trust) are gone after the next restart.
import type { NodeFacts } from '../../facts/types.ts';
import { mergeConfig, valueAtPath, type ConfigObject } from '../../kubelet/config-file.ts';
import { fieldSpec } from '../../kubelet/fields.ts';
import { occurrences } from '../../kubelet/flags.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { effective } from './evidence.ts';

/** The keys kubeadm writes that a worker cannot lose, and what breaks without each (catalog KUBELET-3.3.17). */
export const kubeadmKeys: readonly { readonly field: string; readonly breaks: string }[] = [
  { field: 'cgroupDriver', breaks: 'the kubelet falls back to cgroupfs while containerd uses systemd' },
  { field: 'clusterDNS', breaks: 'pods get no cluster DNS server' },
  { field: 'clusterDomain', breaks: 'pods get no cluster search domain' },
  { field: 'authentication.x509.clientCAFile', breaks: 'the kubelet cannot verify the API server\'s client certificate (logs/exec answer 401)' },
  { field: 'authentication.webhook.enabled', breaks: 'token authentication is no longer explicit (only the v1beta1 default keeps it)' },
  { field: 'authorization.mode', breaks: 'authorization is no longer explicit (only the v1beta1 default keeps Webhook)' },
];

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

export function evaluateKubeadmKept(facts: NodeFacts): Verdict {
  const eff = effective(facts);
  const expected = `the config file keeps ${kubeadmKeys.map((k) => k.field).join(', ')}`;
  if (!eff.commandLine) return error({ expected, actual: 'unknown', source: 'kubelet command line' }, eff.blocking.join('; '));
  if (!eff.configFile) return fail({ expected, actual: 'no --config file', source: eff.commandLine.source }, 'the kubelet runs without --config: none of kubeadm\'s settings are in a config file.');
  const cf = eff.configFile;
  if (cf.state === 'unknown') return error({ expected, actual: 'unknown', source: cf.path }, cf.error ?? cf.path);
  if (cf.state !== 'ok' || !cf.object) return fail({ expected, actual: cf.state, source: cf.path }, `${cf.error ?? cf.path}.`);
  const dropIns = eff.configDir?.files ?? [];
  const unknownDropIn = dropIns.find((d) => d.state !== 'ok');
  if (unknownDropIn) return error({ expected, actual: 'unknown', source: unknownDropIn.path }, unknownDropIn.error ?? unknownDropIn.path);
  let merged: ConfigObject = cf.object;
  for (const d of dropIns) if (d.object) merged = mergeConfig(merged, d.object);
  const source = [cf.path, ...dropIns.map((d) => d.path)].join(' + ');
  const lost = kubeadmKeys.filter((k) => !present(valueAtPath(merged, k.field)));
  const kept = kubeadmKeys.length - lost.length;
  if (lost.length === 0) return pass({ expected, actual: `all ${kubeadmKeys.length} kubeadm settings present`, source });
  const detail = lost.map((k) => {
    const flag = fieldSpec(k.field)?.flag;
    const onCmd = flag ? occurrences(eff.commandLine?.parsed ?? { flags: [], positional: [] }, flag).at(-1) : undefined;
    return `${k.field} (${k.breaks}${onCmd ? `; ${onCmd.raw} on the command line still supplies it` : ''})`;
  });
  return fail(
    { expected, actual: `lost: ${lost.map((k) => k.field).join(', ')} (${kept} of ${kubeadmKeys.length} kept)`, source },
    `${source} lost kubeadm's settings: ${detail.join('; ')}. The file was replaced rather than edited (the guide's \`tee /var/lib/kubelet/config.yaml\`): merge these keys back from kubeadm's copy (kubectl get cm -n kube-system kubelet-config) and add the new settings to it.`,
  );
}
