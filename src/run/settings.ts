// Resolves what one run does: CLI flags over NODEGATE_* variables over nodegate.config.yaml over defaults.
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { catalog, findCheck } from '../catalog/index.ts';
import { UsageError } from '../errors.ts';
import { readProfileOverrides, readYamlFile } from '../profile/load.ts';

export interface NodeSetting {
  /** The node name: expected hostname, JUnit suite name. */
  readonly name: string;
  /** `local`, `ssh://user@host[:port]`. */
  readonly target: string;
  /** A fleet member that cannot be reached, and why (a Node with no InternalIP): reported unobservable, never dropped. */
  readonly unreachable?: string;
}

/** --nodes SELECTOR: the Nodes to audit come from the Kubernetes API, each logged into as this user and port. */
export interface FleetSettings {
  readonly selector: string;
  readonly sshUser: string;
  readonly sshPort: number;
}

export interface RunSettings {
  /** Empty when replaying a snapshot, and until the fleet is listed (run/fleet.ts) with --nodes. */
  readonly nodes: readonly NodeSetting[];
  /** Set by --nodes / NODEGATE_NODES / `nodeSelector:`. */
  readonly fleet?: FleetSettings;
  readonly identityFile?: string;
  readonly knownHostsFile?: string;
  readonly acceptNewHostKey: boolean;
  /** Profile overrides in the order they apply, with the file each came from. */
  readonly profileLayers: readonly { readonly file: string; readonly data: unknown }[];
  readonly junitFile?: string;
  readonly junitProperties: 'system-out' | 'element';
  readonly only: readonly string[];
  readonly skip: readonly string[];
  readonly saveSnapshot?: string;
  readonly snapshot?: string;
  readonly strict: boolean;
  /** How long an SSH login may take, per attempt. */
  readonly connectTimeoutMs: number;
  /** Upper bound on any one command (the probe) on a node. */
  readonly commandTimeoutMs: number;
  /** How many nodes are observed at once. */
  readonly concurrency: number;
  /** The cluster side: where the credentials come from and whether the live checks may run workloads. */
  readonly cluster: ClusterSettings;
}

export interface ClusterSettings {
  /** --kubeconfig / NODEGATE_KUBECONFIG / `kubeconfig:`: an explicit file, which a snapshot replay also reads. */
  readonly kubeconfig?: string;
  /** --context / NODEGATE_CONTEXT / `context:`. */
  readonly context?: string;
  /** --live / NODEGATE_LIVE / `live:`: the checks that run workloads on the node. */
  readonly live: boolean;
  /**
   * --live-image / NODEGATE_LIVE_IMAGE / `liveImage:`: without cluster access, --live runs RES-6.2.1, RES-6.2.3 and
   * SEC-4.2.5 through the node's own containerd from this tarball (absolute; checked readable before any node).
   */
  readonly liveImage?: string;
  /**
   * The ambient sources kubectl also reads (KUBECONFIG, the in-cluster service account, ~/.kube/config via HOME),
   * kept from the environment the run started in so the resolution stays a pure function of the settings.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const defaultConnectTimeoutSeconds = 10;
export const defaultCommandTimeoutSeconds = 60;
/** Enough to keep a fleet's probes overlapped, few enough that the runner's sockets and memory stay bounded. */
export const defaultConcurrency = 32;
/** The user and port --nodes logs into every Node as, unless --ssh-user / --ssh-port say otherwise. */
export const defaultSshUser = 'root';
export const defaultSshPort = 22;

/** Flags as the CLI parsed them; every field optional, lists may repeat. */
export interface Flags {
  target?: string[];
  node?: string[];
  identity?: string;
  knownHosts?: string;
  acceptNewHostKey?: boolean;
  profile?: string;
  junit?: string;
  junitProperties?: string;
  only?: string;
  skip?: string;
  saveSnapshot?: string;
  snapshot?: string;
  strict?: boolean;
  config?: string;
  connectTimeout?: string;
  commandTimeout?: string;
  concurrency?: string;
  kubeconfig?: string;
  context?: string;
  live?: boolean;
  liveImage?: string;
  nodes?: string;
  sshUser?: string;
  sshPort?: string;
}

const configSchema = z
  .object({
    target: z.string().optional(),
    node: z.string().optional(),
    nodes: z.array(z.object({ name: z.string().min(1), target: z.string().min(1) }).strict()).min(1, 'lists no node: an audit of no node proves nothing').optional(),
    identity: z.string().optional(),
    knownHosts: z.string().optional(),
    acceptNewHostKey: z.boolean().optional(),
    profileFile: z.string().optional(),
    profile: z.unknown().optional(),
    junit: z.string().optional(),
    junitProperties: z.enum(['system-out', 'element']).optional(),
    only: z.union([z.string(), z.array(z.string())]).optional(),
    skip: z.union([z.string(), z.array(z.string())]).optional(),
    strict: z.boolean().optional(),
    connectTimeoutSeconds: z.number().positive().optional(),
    commandTimeoutSeconds: z.number().positive().optional(),
    concurrency: z.number().int().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    live: z.boolean().optional(),
    liveImage: z.string().min(1).optional(),
    // `nodes:` is the explicit list above, so the selector has its own key.
    nodeSelector: z.string().trim().min(1).optional(),
    sshUser: z.string().min(1).optional(),
    sshPort: z.number().int().min(1).max(65535).optional(),
  })
  .strict();
type ConfigFile = z.output<typeof configSchema>;

export const defaultConfigFile = 'nodegate.config.yaml';

/**
 * Splits "A,B C" into catalog IDs. A token is an ID or an ID prefix at a dot or dash boundary (`KUBELET`,
 * `RT-2.2`), which stands for every ID under it; a token that matches nothing is a usage error.
 */
export function parseIdList(value: string | readonly string[] | undefined, flag: string): string[] {
  if (value === undefined) return [];
  const tokens = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const token of tokens) {
    const matched = findCheck(token) ? [token] : catalog.filter((c) => c.id.startsWith(`${token}-`) || c.id.startsWith(`${token}.`)).map((c) => c.id);
    if (matched.length === 0) unknown.push(token);
    for (const id of matched) if (!ids.includes(id)) ids.push(id);
  }
  if (unknown.length > 0) {
    throw new UsageError(`${flag}: unknown check ID ${unknown.map((u) => `"${u}"`).join(', ')}`, 'IDs are listed in the catalog (e.g. HOST-1.2.2, RT-2.3.1, or a prefix such as KUBELET or RT-2.2)');
  }
  return ids;
}

function parseJunitProperties(value: string | undefined): RunSettings['junitProperties'] {
  if (value === undefined || value === 'system-out' || value === 'element') return value ?? 'system-out';
  throw new UsageError(`--junit-properties: "${value}" is not system-out or element`, 'system-out validates against the JUnit XSD; element suits pytest-style readers');
}

/** A flag or variable given as text: a positive number (of seconds, or an integer count), or a usage error naming it. */
function positiveNumber(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${name}: "${value}" is not ${integer ? 'a whole number of at least 1' : 'a positive number of seconds'}`,
      integer ? 'e.g. 8' : 'e.g. 10 or 2.5');
  }
  return n;
}

async function readConfig(file: string): Promise<ConfigFile> {
  const data = await readYamlFile(file);
  const result = configSchema.safeParse(data ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || '(top level)';
    throw new UsageError(`${file}: field "${field}": ${issue?.message ?? 'invalid'}`, 'see README, "Configuration"');
  }
  return result.data;
}

/** The variables client-node's and kubectl's resolution reads; a blank one counts as unset, as for NODEGATE_*. */
const ambientClusterVariables = ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'HOME'] as const;

function ambientClusterEnv(rawEnv: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k of ambientClusterVariables) if (rawEnv[k] !== undefined && rawEnv[k]?.trim() !== '') out[k] = rawEnv[k];
  return out;
}

/**
 * --nodes with its SSH user and port; the fleet is the node list, so any other way of naming nodes is a conflict
 * (one of them would be silently ignored).
 */
function fleetSettings(selector: string, flags: Flags, env: NodeJS.ProcessEnv, config: ConfigFile, configFile: string | undefined): FleetSettings {
  if (selector.trim() === '') throw new UsageError('--nodes: the label selector is empty', 'e.g. --nodes node-role.kubernetes.io/worker or --nodes pool=web');
  const given = (name: string, flag: unknown, variable: string, key: keyof ConfigFile): string | undefined => {
    if (flag !== undefined) return name;
    if (env[variable]) return variable;
    if (config[key] !== undefined) return `"${key}" in ${configFile}`;
    return undefined;
  };
  const conflicts = [
    given('--target', flags.target, 'NODEGATE_TARGET', 'target'),
    given('--node', flags.node, 'NODEGATE_NODE', 'node'),
    config.nodes !== undefined ? `"nodes" in ${configFile}` : undefined,
    flags.snapshot !== undefined ? '--snapshot' : env.NODEGATE_SNAPSHOT ? 'NODEGATE_SNAPSHOT' : undefined,
  ].filter((c): c is string => c !== undefined);
  if (conflicts.length > 0) {
    throw new UsageError(`--nodes "${selector}" audits the Nodes the cluster lists: it cannot be combined with ${conflicts.join(', ')}`,
      'drop one of them (each matching Node is named by metadata.name and reached at its InternalIP)');
  }
  const port = positiveNumber(flags.sshPort, '--ssh-port', true) ?? positiveNumber(env.NODEGATE_SSH_PORT, 'NODEGATE_SSH_PORT', true) ?? config.sshPort ?? defaultSshPort;
  if (port > 65535) throw new UsageError(`--ssh-port: ${port} is not a port (1-65535)`, 'e.g. 22');
  return { selector: selector.trim(), sshUser: flags.sshUser ?? env.NODEGATE_SSH_USER ?? config.sshUser ?? defaultSshUser, sshPort: port };
}

const liveImageHint = 'give --live-image an OCI image-layout or docker-archive tarball of a busybox image (fixtures/live/busybox-image.sh OUT.tar builds one)';

/**
 * --live-image is read only by --live (alone it would be silently ignored), and a file that is missing or
 * unreadable is a usage error here, before any node is reached, not an error verdict per node afterwards.
 */
async function liveImageSetting(file: string | undefined, live: boolean): Promise<string | undefined> {
  if (file === undefined) return undefined;
  if (!live) throw new UsageError(`--live-image ${file} is only used by --live`, 'add --live (it runs workloads on the node), or drop --live-image');
  const info = await stat(file).catch((err: unknown) => {
    throw new UsageError(`--live-image ${file}: ${err instanceof Error ? err.message : String(err)}`, liveImageHint);
  });
  if (!info.isFile()) throw new UsageError(`--live-image ${file}: not a file`, liveImageHint);
  await access(file, constants.R_OK).catch((err: unknown) => {
    throw new UsageError(`--live-image ${file}: ${err instanceof Error ? err.message : String(err)}`, liveImageHint);
  });
  return file;
}

const envFlag = (v: string | undefined): boolean | undefined => (v === undefined || v === '' ? undefined : /^(1|true|yes)$/i.test(v));

export async function resolveSettings(flags: Flags, rawEnv: NodeJS.ProcessEnv, cwd: string): Promise<RunSettings> {
  // An empty NODEGATE_* variable means unset, as in a CI matrix that leaves a value blank.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([k, v]) => k.startsWith('NODEGATE_') && v !== '')) as NodeJS.ProcessEnv;
  const configPath = flags.config ?? env.NODEGATE_CONFIG ?? (existsSync(resolve(cwd, defaultConfigFile)) ? defaultConfigFile : undefined);
  const configFile = configPath ? resolve(cwd, configPath) : undefined;
  const config: ConfigFile = configFile ? await readConfig(configFile) : {};
  const path = (p: string | undefined) => (p === undefined ? undefined : resolve(cwd, p));

  const snapshot = path(flags.snapshot ?? env.NODEGATE_SNAPSHOT);
  const targets = flags.target ?? (env.NODEGATE_TARGET ? [env.NODEGATE_TARGET] : config.target ? [config.target] : []);
  const names = flags.node ?? (env.NODEGATE_NODE ? [env.NODEGATE_NODE] : config.node ? [config.node] : []);
  if (names.length > Math.max(targets.length, 1)) {
    throw new UsageError(`--node given ${names.length} times for ${targets.length || 1} target(s)`, 'give one --node per --target, in the same order');
  }
  const saveSnapshot = path(flags.saveSnapshot ?? env.NODEGATE_SAVE_SNAPSHOT);
  if (snapshot) {
    // A replay reaches no node: a node setting or a second snapshot would be silently ignored, so refuse them.
    const conflict = (flagName: string, flag: unknown, variable: string, key?: keyof ConfigFile): string | undefined => {
      if (flag !== undefined) return flagName;
      if (env[variable]) return variable;
      if (key !== undefined && config[key] !== undefined) return `"${key}" in ${configFile}`;
      return undefined;
    };
    const conflicts = [
      conflict('--target', flags.target, 'NODEGATE_TARGET', 'target'),
      conflict('--node', flags.node, 'NODEGATE_NODE', 'node'),
      config.nodes !== undefined ? `"nodes" in ${configFile}` : undefined,
      conflict('--save-snapshot', flags.saveSnapshot, 'NODEGATE_SAVE_SNAPSHOT'),
    ].filter((c): c is string => c !== undefined);
    if (conflicts.length > 0) {
      throw new UsageError(`--snapshot replays saved facts of the nodes it names: it cannot be combined with ${conflicts.join(', ')}`,
        'drop one of them (a replay reaches no node, and its facts are already saved)');
    }
  }
  const selector = flags.nodes ?? env.NODEGATE_NODES ?? config.nodeSelector;
  const fleet = selector === undefined ? undefined : fleetSettings(selector, flags, env, config, configFile);
  if (!fleet && (flags.sshUser !== undefined || flags.sshPort !== undefined)) {
    // Without a fleet the user and port are in each --target URL: the flag would be silently ignored.
    throw new UsageError(`${flags.sshUser !== undefined ? '--ssh-user' : '--ssh-port'} applies to the Nodes --nodes lists`, 'put the user and port in the --target URL (ssh://user@host:port), or add --nodes SELECTOR');
  }
  let nodes: NodeSetting[];
  if (fleet) nodes = [];
  else if (targets.length > 0) nodes = targets.map((target, i) => ({ target, name: names[i] ?? '' }));
  else if (config.nodes) nodes = config.nodes;
  else if (snapshot) nodes = [];
  else nodes = [{ target: 'local', name: names[0] ?? '' }];

  const profileLayers: { file: string; data: unknown }[] = [];
  if (configFile && config.profile !== undefined) profileLayers.push({ file: configFile, data: config.profile });
  const configProfileFile = config.profileFile && configFile ? resolve(configFile, '..', config.profileFile) : undefined;
  for (const file of [configProfileFile, path(flags.profile ?? env.NODEGATE_PROFILE)]) {
    if (file) profileLayers.push({ file, data: await readProfileOverrides(file) });
  }

  const live = flags.live ?? envFlag(env.NODEGATE_LIVE) ?? config.live ?? false;
  const liveImage = await liveImageSetting(path(flags.liveImage ?? env.NODEGATE_LIVE_IMAGE ?? config.liveImage), live);

  return {
    nodes,
    ...(fleet ? { fleet } : {}),
    identityFile: path(flags.identity ?? env.NODEGATE_IDENTITY ?? config.identity),
    knownHostsFile: path(flags.knownHosts ?? env.NODEGATE_KNOWN_HOSTS ?? config.knownHosts),
    acceptNewHostKey: flags.acceptNewHostKey ?? envFlag(env.NODEGATE_ACCEPT_NEW_HOST_KEY) ?? config.acceptNewHostKey ?? false,
    profileLayers,
    junitFile: path(flags.junit ?? env.NODEGATE_JUNIT ?? config.junit),
    junitProperties: parseJunitProperties(flags.junitProperties ?? env.NODEGATE_JUNIT_PROPERTIES ?? config.junitProperties),
    only: parseIdList(flags.only ?? env.NODEGATE_ONLY ?? config.only, '--only'),
    skip: parseIdList(flags.skip ?? env.NODEGATE_SKIP ?? config.skip, '--skip'),
    saveSnapshot,
    snapshot,
    strict: flags.strict ?? envFlag(env.NODEGATE_STRICT) ?? config.strict ?? false,
    connectTimeoutMs: Math.round(1000 * (
      positiveNumber(flags.connectTimeout, '--connect-timeout', false) ??
      positiveNumber(env.NODEGATE_CONNECT_TIMEOUT, 'NODEGATE_CONNECT_TIMEOUT', false) ??
      config.connectTimeoutSeconds ?? defaultConnectTimeoutSeconds)),
    commandTimeoutMs: Math.round(1000 * (
      positiveNumber(flags.commandTimeout, '--command-timeout', false) ??
      positiveNumber(env.NODEGATE_COMMAND_TIMEOUT, 'NODEGATE_COMMAND_TIMEOUT', false) ??
      config.commandTimeoutSeconds ?? defaultCommandTimeoutSeconds)),
    concurrency:
      positiveNumber(flags.concurrency, '--concurrency', true) ??
      positiveNumber(env.NODEGATE_CONCURRENCY, 'NODEGATE_CONCURRENCY', true) ??
      config.concurrency ?? defaultConcurrency,
    cluster: {
      kubeconfig: path(flags.kubeconfig ?? env.NODEGATE_KUBECONFIG ?? config.kubeconfig),
      context: flags.context ?? env.NODEGATE_CONTEXT ?? config.context,
      live,
      ...(liveImage === undefined ? {} : { liveImage }),
      env: ambientClusterEnv(rawEnv),
    },
  };
}
