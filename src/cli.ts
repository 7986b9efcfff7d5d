// The nodegate command: parse flags, validate settings, run the compliance suites through Vitest, map exit codes.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InternalError, reportBugHint, UsageError } from './errors.ts';
import { failureReport } from './run/failure.ts';
import { expandFleet } from './run/fleet.ts';
import { observeNodes, type Observation } from './run/observe.ts';
import { prepareRun } from './run/prepare.ts';
import { defaultCommandTimeoutSeconds, defaultConcurrency, defaultConnectTimeoutSeconds, resolveSettings, type Flags, type RunSettings } from './run/settings.ts';
import { suiteChecks, suiteConfig } from './run/suite-config.ts';
import type { Handoff, Observations } from './run/context.ts';

const usage = `Usage: nodegate [options]

Audit a Kubernetes worker node against its documented state.

  --target local|ssh://user@host[:port]   node to audit (default: local; repeat for several nodes)
  --node NAME              node name = expected hostname (default: profile node.name; one per --target)
  --nodes SELECTOR         audit every Node the cluster lists with this label selector, at its InternalIP
                           (needs the kubeconfig; not with --target, --node or --snapshot)
  --ssh-user USER          the user --nodes logs in as (default: root)
  --ssh-port PORT          the SSH port --nodes connects to (default: 22)
  --identity FILE          SSH private key (default: the SSH agent)
  --known-hosts FILE       known_hosts to verify host keys against (default: ~/.ssh/known_hosts)
  --accept-new-host-key    trust and record a host key seen for the first time (labs only)
  --profile FILE           YAML overrides of the documented state
  --config FILE            settings file (default: ./nodegate.config.yaml when present)
  --junit FILE             write JUnit XML
  --junit-properties MODE  where each testcase's properties go: system-out (default; valid against the
                           Jenkins/Ant JUnit XSD) or element (<properties> in <testcase>, as pytest writes)
  --only IDS               run only these check IDs (comma separated)
  --skip IDS               do not run these check IDs
  --save-snapshot FILE     save the gathered facts (no secret contents) and which nodes could not be observed
  --snapshot FILE          replay saved facts instead of reaching a node
  --strict                 advisory failures and skips also fail the gate
  --connect-timeout SECS   how long an SSH login may take (default: ${defaultConnectTimeoutSeconds})
  --command-timeout SECS   how long the probe may run on a node (default: ${defaultCommandTimeoutSeconds})
  --concurrency N          nodes observed at once (default: ${defaultConcurrency})
  --kubeconfig FILE        read the cluster's view of each node (default: KUBECONFIG, the in-cluster
                           service account, ~/.kube/config; none: the cluster checks skip, saying why)
  --context NAME           the kubeconfig context to use (default: its current-context)
  --live                   also run the checks that run workloads on the node through the cluster
                           (a run namespace, removed afterwards; needs deploy/rbac.yaml's nodegate-live)
  --live-image FILE        with --live and no cluster access: run RES-6.2.1, RES-6.2.3 and SEC-4.2.5 as
                           containers through the node's containerd, from this busybox image tarball
                           (OCI or docker-archive; fixtures/live/busybox-image.sh builds one)
  -h, --help               this text

Exit codes: 0 compliant, 1 not compliant, 2 usage or configuration error, 3 a node could not be observed,
4 nodegate failed (internal error, or selected checks that never reported).`;

function parseFlags(argv: string[]): Flags & { help?: boolean } {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string', multiple: true },
        node: { type: 'string', multiple: true },
        nodes: { type: 'string' },
        'ssh-user': { type: 'string' },
        'ssh-port': { type: 'string' },
        identity: { type: 'string' },
        'known-hosts': { type: 'string' },
        'accept-new-host-key': { type: 'boolean' },
        profile: { type: 'string' },
        config: { type: 'string' },
        junit: { type: 'string' },
        'junit-properties': { type: 'string' },
        only: { type: 'string' },
        skip: { type: 'string' },
        'save-snapshot': { type: 'string' },
        snapshot: { type: 'string' },
        strict: { type: 'boolean' },
        'connect-timeout': { type: 'string' },
        'command-timeout': { type: 'string' },
        concurrency: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        live: { type: 'boolean' },
        'live-image': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return {
      target: values.target,
      node: values.node,
      nodes: values.nodes,
      sshUser: values['ssh-user'],
      sshPort: values['ssh-port'],
      identity: values.identity,
      knownHosts: values['known-hosts'],
      acceptNewHostKey: values['accept-new-host-key'],
      profile: values.profile,
      config: values.config,
      junit: values.junit,
      junitProperties: values['junit-properties'],
      only: values.only,
      skip: values.skip,
      saveSnapshot: values['save-snapshot'],
      snapshot: values.snapshot,
      strict: values.strict,
      connectTimeout: values['connect-timeout'],
      commandTimeout: values['command-timeout'],
      concurrency: values.concurrency,
      kubeconfig: values.kubeconfig,
      context: values.context,
      live: values.live,
      liveImage: values['live-image'],
      help: values.help,
    };
  } catch (cause) {
    // node:util's messages can span lines; the user gets one.
    throw new UsageError((cause as Error).message.split('\n').join(' '), 'run `nodegate --help` for the options');
  }
}

/** Only the suite files whose threat rows hold a selected check, so Vitest loads nothing else. */
function suiteFiles(settings: RunSettings): string[] {
  return [...new Set(suiteChecks(settings.only, settings.skip).map((c) => `suites/${c.area}/${c.threat}.test.ts`))];
}

/** Written whole and renamed into place, so a waiting worker never reads half a file. */
async function writeHandoff(file: string, handoff: Handoff): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(handoff), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** One line per node that could not be observed at all: the reason, as the transport stated it. */
/** One line per node that could not be observed: why, as its observation says (not each check's own wording). */
function unobservableLines(observations: readonly Observation[]): string[] {
  return observations.flatMap((o) => ('failure' in o ? [`${o.node}: ${o.message}`] : []));
}

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(`${usage}\n`);
    return ExitCode.compliant;
  }
  // --nodes lists the fleet first: everything after sees the Nodes as if each had been given with --target.
  const settings = await expandFleet(await resolveSettings(flags, process.env, process.cwd()));
  const { profile, nodeNames, selectedIds } = await prepareRun(settings);
  const files = suiteFiles(settings);

  // Reaching the nodes and starting Vitest are independent: the workers start and load the suites while the
  // nodes are probed, and the tests wait for the observations (see run/context.ts).
  const observed = observeNodes(settings, profile);
  observed.catch(() => {}); // awaited below; keeps an early rejection from counting as unhandled
  // Nodes beyond the concurrency limit wait their turn: the bound grows with the number of rounds.
  const rounds = Math.ceil(settings.nodes.length / settings.concurrency);
  // --live adds the workloads' own waits (image pulls, pods becoming Ready, the memory bomb) after the cluster reads.
  const liveMs = settings.cluster.live ? 300_000 : 0;
  const waitMs = Math.max(rounds, 1) * (settings.connectTimeoutMs * 3 + settings.commandTimeoutMs * 2 + liveMs) + 30_000;
  const handoff = join(tmpdir(), `nodegate-${process.pid}-${randomBytes(6).toString('hex')}.json`);
  const observations: Observations = settings.snapshot
    ? { kind: 'provided', observations: await observed }
    : { kind: 'handoff', file: handoff, nodes: nodeNames, timeoutMs: waitMs };
  const handedOff = observations.kind === 'handoff' ? observed.then(
    (o) => writeHandoff(handoff, { observations: o }),
    (e: unknown) => writeHandoff(handoff, { error: e instanceof Error ? e.message : String(e) }),
  ) : undefined;

  const [{ createVitest }, { NodegateReporter }, { ProgressReporter }] = await Promise.all([
    import('vitest/node'),
    import('../reporters/nodegate-reporter.ts'),
    import('../reporters/progress.ts'),
  ]);
  const reporter = new NodegateReporter({
    junitFile: settings.junitFile,
    checkProperties: settings.junitProperties,
    strict: settings.strict,
    color: process.stdout.isTTY === true,
    expected: { nodes: nodeNames, ids: selectedIds },
  });
  const vitest = await createVitest('test', {
    ...suiteConfig,
    // Inline config: bundling vitest.config.ts costs more than the whole audit of one node.
    config: false,
    globalSetup: [],
    testTimeout: waitMs,
    run: true,
    watch: false,
    reporters: [new ProgressReporter(), reporter],
  });
  vitest.provide('nodegate', { profile, observations, only: settings.only, skip: settings.skip });
  try {
    await vitest.start(files);
  } finally {
    await handedOff;
    await rm(handoff, { force: true });
  }
  // A failure while observing (anything but a named TargetError, which is a verdict) surfaces here, after the report.
  const failure = await observed.then(() => undefined, (cause: unknown) => cause);
  if (failure !== undefined) {
    if (!reporter.lastOutcome) throw failure;
    // The summary has already said the audit did not complete: its exit code stands, and this line says why.
    process.stderr.write(`${failureReport(failure).line}\n`);
    return reporter.lastOutcome.exitCode;
  }
  const errors = vitest.state.getUnhandledErrors();
  // No vitest.close(): the reporters have written everything, and run() exits the process, which ends the worker
  // pool at once instead of after its orderly teardown (a third of a second on two cores).
  if (errors.length > 0 || !reporter.lastOutcome) {
    throw new InternalError(`the run did not complete (${errors.length} unhandled error(s) above)`);
  }
  for (const line of unobservableLines(await observed)) process.stderr.write(`nodegate: ${line}\n`);
  if (reporter.lastOutcome.exitCode === ExitCode.internal) process.stderr.write(`nodegate: ${reporter.lastOutcome.reason} — ${reportBugHint}\n`);
  return reporter.lastOutcome.exitCode;
}

export async function run(argv: string[]): Promise<void> {
  // A throw that escapes every await (a stray callback) would make Node exit 1, "not compliant": report it as ours.
  const crash = (cause: unknown): void => {
    const report = failureReport(cause);
    process.stderr.write(`${report.line}\n`);
    process.exit(report.code);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  let code: number;
  try {
    code = await main(argv);
  } catch (cause) {
    const report = failureReport(cause);
    process.stderr.write(`${report.line}\n`);
    if (report.code === ExitCode.internal && process.env.NODEGATE_DEBUG) {
      process.stderr.write(`${cause instanceof Error ? cause.stack : String(cause)}\n`);
    }
    code = report.code;
  }
  process.exit(code);
}
