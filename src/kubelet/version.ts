// The kubelet's Kubernetes minor, read from dpkg's kubelet package (else the supported default), and the behaviours
// of the configuration pipeline that changed between 1.28 and 1.33, so each verdict can say which rule applied.
import type { NodeFacts } from '../facts/types.ts';
import { isInstalled, parseDpkgPackages } from './packages.ts';
import { kubeletCmd } from './paths.ts';

/** The minors whose semantics are modelled; outside them the nearest rule applies and the verdict says so. */
export const supportedMinors = { min: 28, max: 33 } as const;
/** The minor assumed when the node's kubelet binary cannot be asked (the profile's documented version). */
export const defaultMinor = 31;

export interface KubeletVersion {
  readonly minor: number;
  /** "v1.31.2" as printed, or "1.31 (assumed)". */
  readonly text: string;
  /** Read from the node, or the documented default because `kubelet --version` could not be read. */
  readonly observed: boolean;
  /** Why the version is assumed, when it is. */
  readonly why?: string;
}

/** `kubelet --version` prints "Kubernetes v1.31.2" (component-base/version/verflag). */
export function parseKubeletVersion(stdout: string): { minor: number; text: string } | undefined {
  const m = /Kubernetes\s+(v?1\.(\d+)\.\d+\S*)/.exec(stdout);
  return m?.[1] && m[2] ? { minor: Number(m[2]), text: m[1] } : undefined;
}

/** The Debian package version of the Kubernetes apt repositories: "1.31.2-1.1" (pkgs.k8s.io), "1.28.15-00" (legacy). */
export function parseDebVersion(v: string): { minor: number; text: string } | undefined {
  const m = /^(?:\d+:)?1\.(\d+)\.\d+/.exec(v);
  return m?.[1] ? { minor: Number(m[1]), text: v } : undefined;
}

/**
 * `kubelet --version` output when the facts hold one (a replayed snapshot), else the installed kubelet package's
 * version; the probe does not run the binary, which on a wrapper or stand-in would start a kubelet.
 */
export function kubeletVersion(facts: NodeFacts): KubeletVersion {
  const assumed = (why: string): KubeletVersion => ({ minor: defaultMinor, text: `1.${defaultMinor} (assumed)`, observed: false, why });
  const printed = facts.commands[kubeletCmd.version];
  if (printed?.state === 'ran') {
    const v = parseKubeletVersion(printed.stdout);
    if (v) return { ...v, observed: true };
  }
  const c = facts.commands[kubeletCmd.packages];
  if (c === undefined) return assumed("the probe did not read dpkg's kubelet package");
  if (c.state !== 'ran') return assumed(`reading dpkg's packages ${c.state === 'not-found' ? 'found no dpkg-query' : `was ${c.state}`}`);
  const pkg = parseDpkgPackages(c.stdout).find((p) => p.name === 'kubelet');
  if (!pkg || !isInstalled(pkg.status)) return assumed('no kubelet package is installed');
  const v = pkg.version ? parseDebVersion(pkg.version) : undefined;
  return v ? { minor: v.minor, text: `v1.${v.minor} (package ${v.text})`, observed: true } : assumed(`the kubelet package's version ${JSON.stringify(pkg.version ?? '')} is not 1.x.y`);
}

/**
 * --config-dir by minor. 1.28–1.29: alpha, accepted only with KUBELET_CONFIG_DROPIN_DIR_ALPHA in the kubelet's
 * environment, else startup fails; 1.30 on: beta, always read. Before 1.28 the flag does not exist.
 */
export function configDirRule(minor: number): 'unknown-flag' | 'alpha-env' | 'enabled' {
  if (minor < 28) return 'unknown-flag';
  return minor <= 29 ? 'alpha-env' : 'enabled';
}
export const configDirAlphaEnv = 'KUBELET_CONFIG_DROPIN_DIR_ALPHA';

/**
 * Up to 1.31 mergeKubeletConfigurations unmarshals the merged JSON into the already-defaulted configuration, so a
 * zero a drop-in writes stays zero (and a `null` deletes nothing the struct still holds); from 1.32 the merge
 * is decoded into a fresh v1beta1 object and SetDefaults_KubeletConfiguration runs after it, so the zero is
 * defaulted like one in the main file.
 */
export const dropInsDefaultedAfterMerge = (minor: number): boolean => minor >= 32;

/** KubeletCgroupDriverFromCRI: alpha (off) 1.28–1.30, beta (on) from 1.31, GA (locked on) from 1.34. */
export const cgroupDriverFromCriDefault = (minor: number): boolean => minor >= 31;
export const cgroupDriverFromCriLocked = (minor: number): boolean => minor >= 34;
