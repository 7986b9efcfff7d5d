// How each containerd release loads its config file: validation, import resolution and merging changed in patch
// releases, so the rules are data keyed by the exact version (sources cited in test/unit/runtime-containerd-load.test.ts).
import semver, { type SemVer } from 'semver';

export interface LoaderRules {
  /** The release these rules describe, e.g. "1.6.20". */
  readonly release: string;
  readonly major: 1 | 2;
  /** Highest `version` the release accepts; undefined: any number loads (1.6 before 1.6.32, 1.7 before 1.7.17). */
  readonly maxConfigVersion: number | undefined;
  /**
   * How a plugin URI (disabled_plugins, required_plugins and, on 1.x, plugin table keys) is checked once the merged
   * version is 2 or more: 1.6 splits on dots and wants 4 parts; 1.7 also wants the "io.containerd." prefix; 2.x only
   * wants a dot (after converting a version 1 file's short names).
   */
  readonly uriCheck: 'four-parts' | 'io-containerd-prefix' | 'has-dot';
  /** 1.x validates plugin table keys too; 2.x does not (an unknown key is ignored, with a warning at most). */
  readonly checksPluginKeys: boolean;
  /** Where a relative glob import is expanded: containerd's working directory (old releases) or the importing file's directory. */
  readonly relativeGlobBase: 'cwd' | 'config-dir';
  /** 1.x replaces a whole plugin section from an import; 2.x merges plugin tables key by key. */
  readonly pluginMerge: 'replace-section' | 'deep';
  /** 1.x appends imported lists (duplicates kept); 2.x appends only entries not already present. */
  readonly listMerge: 'append' | 'append-new';
}

const v = (s: string): SemVer => new semver.SemVer(s);

/** The loader rules of one containerd release, or undefined for a major version nodegate has no model of (0.x, 3.x). */
export function loaderRules(version: SemVer): LoaderRules | undefined {
  const release = `${version.major}.${version.minor}.${version.patch}`;
  const at = (floor: string): boolean => semver.gte(release, v(floor));
  // Releases before 1.6 load like 1.6.0 (the URI check and import resolution date from 1.3); 2.x releases after
  // the newest modelled one are assumed to keep 2.2's rules.
  if (version.major === 1 && version.minor <= 6) {
    return {
      release,
      major: 1,
      maxConfigVersion: at('1.6.32') ? 2 : undefined,
      uriCheck: 'four-parts',
      checksPluginKeys: true,
      relativeGlobBase: at('1.6.29') ? 'config-dir' : 'cwd',
      pluginMerge: 'replace-section',
      listMerge: 'append',
    };
  }
  if (version.major === 1 && version.minor === 7) {
    return {
      release,
      major: 1,
      maxConfigVersion: at('1.7.17') ? 2 : undefined,
      uriCheck: 'io-containerd-prefix',
      checksPluginKeys: true,
      relativeGlobBase: at('1.7.16') ? 'config-dir' : 'cwd',
      pluginMerge: 'replace-section',
      listMerge: 'append',
    };
  }
  if (version.major === 2) {
    return { release, major: 2, maxConfigVersion: 3, uriCheck: 'has-dot', checksPluginKeys: false, relativeGlobBase: 'config-dir', pluginMerge: 'deep', listMerge: 'append-new' };
  }
  return undefined;
}

/** One release per modelled behaviour, to judge a file when the node's containerd version is unknown. */
export const representativeReleases: readonly string[] = ['1.6.20', '1.6.39', '1.7.0', '1.7.29', '2.0.7', '2.2.0'];

/** Whether a plugin URI passes the release's check (the Go conditions, transcribed). */
export function uriAccepted(rules: LoaderRules, uri: string): boolean {
  switch (rules.uriCheck) {
    case 'four-parts':
      return uri.split('.').length >= 4;
    case 'io-containerd-prefix':
      return uri.startsWith('io.containerd.') && uri.split('.').length >= 4;
    case 'has-dot':
      return uri.includes('.');
  }
}

/** containerd 2.x's names for the plugins a version 1 file configured by short ID (v1MigratePluginName). */
const v1CorePlugins: Readonly<Record<string, string>> = {
  cri: 'io.containerd.grpc.v1.cri',
  cgroups: 'io.containerd.monitor.v1.cgroups',
  linux: 'io.containerd.runtime.v1.linux',
  scheduler: 'io.containerd.gc.v1.scheduler',
  bolt: 'io.containerd.metadata.v1.bolt',
  task: 'io.containerd.runtime.v2.task',
  opt: 'io.containerd.internal.v1.opt',
  restart: 'io.containerd.internal.v1.restart',
  tracing: 'io.containerd.internal.v1.tracing',
  otlp: 'io.containerd.tracing.processor.v1.otlp',
  aufs: 'io.containerd.snapshotter.v1.aufs',
  btrfs: 'io.containerd.snapshotter.v1.btrfs',
  devmapper: 'io.containerd.snapshotter.v1.devmapper',
  native: 'io.containerd.snapshotter.v1.native',
  overlayfs: 'io.containerd.snapshotter.v1.overlayfs',
  zfs: 'io.containerd.snapshotter.v1.zfs',
};

/** The URI containerd 2.x gives a version 1 plugin name; names with a dot are kept as written. */
export function v1MigratePluginName(name: string): string {
  if (name.includes('.')) return name;
  const core = v1CorePlugins[name];
  if (core !== undefined) return core;
  if (name.endsWith('-service')) return `io.containerd.service.v1.${name}`;
  if (name === 'windows' || name === 'windows-lcow') return `io.containerd.snapshotter.v1.${name}`;
  return `io.containerd.grpc.v1.${name}`;
}
