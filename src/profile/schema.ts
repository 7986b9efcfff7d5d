// The profile's schema: what a user may override, validated so a typo names its field.
import { z } from 'zod';
import { clusterProfileSchema } from './cluster.ts';
import { sysctlKeyToPath, sysctlPathToKey } from '../parse/sysctl.ts';
import { kubeletDefaults as kd } from './kubelet-defaults.ts';

const octalMode = z
  .string()
  .regex(/^0?[0-7]{3,4}$/, 'an octal mode such as "0660"');
const version = z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'a version such as "1.7.29"');
const sysctlValue = z.union([z.string(), z.number()]).transform((v) => String(v));

const sysctlComponent = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/**
 * A sysctl key as sysctl(8) reads it, in the dotted form the checks use. procps' slashdot rule: the first
 * separator decides the notation, so `net/ipv4/ip_forward` is `net.ipv4.ip_forward`, and in a slashed key a dot
 * belongs to a name (`net/ipv4/conf/eth0.100/rp_filter`, a VLAN interface). The probe reads /proc/sys paths whose
 * components carry no dot, so such a key is refused by name rather than read as the wrong path.
 */
export function normaliseSysctlKey(key: string): { readonly ok: true; readonly key: string } | { readonly ok: false; readonly reason: string } {
  const path = sysctlKeyToPath(key);
  const parts = path.split('/');
  const dotted = parts.find((p) => p.includes('.'));
  if (dotted !== undefined && sysctlComponent.test(dotted.replaceAll('.', '_'))) {
    return { ok: false, reason: `names "${dotted}", a component with a dot in it (such as a VLAN interface); nodegate does not read such keys yet` };
  }
  if (parts.length < 2 || !parts.every((p) => sysctlComponent.test(p))) {
    return { ok: false, reason: 'is not a sysctl key: dotted (net.ipv4.ip_forward) or slashed (net/ipv4/ip_forward) names of letters, digits, "_" and "-", no globs' };
  }
  return { ok: true, key: sysctlPathToKey(path) };
}

/** The dotted form of a valid key; any other key unchanged (the schema has already refused it). */
export function dottedKey(key: string): string {
  const n = normaliseSysctlKey(key);
  return n.ok ? n.key : key;
}

/** sysctl key → value, keys in dotted form; a key that sysctl(8) would not read, or one given twice, is named. */
const sysctlMap = z
  .record(z.string(), sysctlValue)
  .superRefine((map, ctx) => {
    const seen = new Map<string, string>();
    for (const key of Object.keys(map)) {
      const n = normaliseSysctlKey(key);
      if (!n.ok) {
        ctx.addIssue({ code: 'custom', path: [key], message: `sysctl key "${key}" ${n.reason}` });
        continue;
      }
      const first = seen.get(n.key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `sysctl key "${key}" is "${first}" again` });
      seen.set(n.key, key);
    }
  })
  .transform((map) => Object.fromEntries(Object.entries(map).map(([key, value]) => [dottedKey(key), value])));

export const profileSchema = z
  .object({
    node: z.object({ name: z.string().min(1) }).strict(),
    hosts: z
      .array(z.object({ ip: z.string().min(1), names: z.array(z.string().min(1)).min(1) }).strict())
      .min(0),
    kernel: z.object({ minimum: version }).strict(),
    os: z
      .object({
        supported: z.array(z.object({ id: z.string().min(1), versionId: z.string().min(1) }).strict()),
      })
      .strict(),
    modules: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'a kernel module name')),
    sysctls: sysctlMap,
    kernelDefaults: sysctlMap,
    kubelet: z
      .object({
        protectKernelDefaults: z.boolean(),
        readOnlyPort: z.number().int().min(0).max(65535).default(kd.readOnlyPort),
        eventRecordQPS: z.number().int().min(0).default(kd.eventRecordQPS),
        authorizationMode: z.string().min(1).default(kd.authorizationMode),
        heldPackages: z.array(z.string().min(1)).default(kd.heldPackages),
        hardeningDropIn: z.string().startsWith('/').default(kd.hardeningDropIn),
        systemReserved: z.record(z.string(), z.string()).default(kd.systemReserved),
        kubeReserved: z.record(z.string(), z.string()).default(kd.kubeReserved),
        evictionHard: z.record(z.string(), z.string()).default(kd.evictionHard),
        evictionSoft: z.record(z.string(), z.string()).default(kd.evictionSoft),
        evictionSoftGracePeriod: z.record(z.string(), z.string()).default(kd.evictionSoftGracePeriod),
        maxPods: z.number().int().min(1).default(kd.maxPods),
        tlsCipherSuites: z.array(z.string().min(1)).default(kd.tlsCipherSuites),
        unitFileMode: octalMode.default(kd.unitFileMode),
        kubeconfigMode: octalMode.default(kd.kubeconfigMode),
        clientCAFileMode: octalMode.default(kd.clientCAFileMode),
        configFileMode: octalMode.default(kd.configFileMode),
        kubeProxyKubeconfigs: z.array(z.string().startsWith('/')).default(kd.kubeProxyKubeconfigs),
        legacyReadOnlyPort: z.number().int().min(1).max(65535).default(kd.legacyReadOnlyPort),
      })
      .strict(),
    containerd: z
      .object({
        configPath: z.string().startsWith('/'),
        socket: z
          .object({
            path: z.string().startsWith('/'),
            mode: octalMode,
            uid: z.number().int().min(0),
            gid: z.number().int().min(0),
          })
          .strict(),
        versionFloors: z.record(z.string().regex(/^\d+\.\d+$/, 'a release line such as "1.7"'), version),
      })
      .strict(),
    runc: z
      .object({
        versionFloors: z.record(z.string().regex(/^\d+\.\d+$/, 'a release line such as "1.2"'), version),
      })
      .strict(),
    seccomp: z
      .object({
        /** The kubelet's seccomp root (<root-dir>/seccomp): localhost/<profile> names resolve under it. */
        root: z.string().startsWith('/'),
        profiles: z
          .array(z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.\/-]+$/, 'a path relative to seccomp.root, without ".." (e.g. "profiles/web-app.json")'))
          .min(1),
        mode: octalMode,
      })
      .strict(),
    /** What the cluster side expects (namespaces, skew, allocatable, images): the fragment's own defaults fill it. */
    cluster: clusterProfileSchema.prefault({}),
  })
  .strict();

export type Profile = z.output<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
