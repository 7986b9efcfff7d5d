// The seccomp profile as the runtimes read it: OCI's LinuxSeccomp plus Docker's archMap, includes/excludes and
// defaultErrnoRet, which containerd's loader accepts too. Every entry keeps its JSON path for messages.

export interface SeccompArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number;
  readonly op: string;
}

/** Docker-format conditions: arches are Go GOARCH names, caps capability names. */
export interface RuleFilter {
  readonly arches: readonly string[];
  readonly caps: readonly string[];
  readonly minKernel?: string;
}

export interface RuleName {
  readonly name: string;
  /** e.g. syscalls[0].names[12] */
  readonly path: string;
}

export interface SeccompRule {
  /** e.g. syscalls[0] */
  readonly path: string;
  readonly names: readonly RuleName[];
  readonly action: string;
  readonly errnoRet?: number;
  readonly args: readonly SeccompArg[];
  readonly includes: RuleFilter;
  readonly excludes: RuleFilter;
}

export interface ArchMapEntry {
  readonly architecture: string;
  readonly subArchitectures: readonly string[];
}

export interface SeccompProfile {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly architectures: readonly string[];
  readonly archMap: readonly ArchMapEntry[];
  readonly listenerPath?: string;
  readonly flags: readonly string[];
  readonly syscalls: readonly SeccompRule[];
}
