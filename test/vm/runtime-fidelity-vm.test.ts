// RT-2.2.1 and RT-2.2.3 on a real node: containerd 1.6 run by systemd (cwd /) on the VM lab, restarted with each
// config; nodegate gathers over SSH exactly as an audit does (the `imports` follow-up round included), and its
// verdict must equal what the daemon did — it came back, or it refused with the text the journal shows.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { gatherFacts } from '../../src/facts/gather.ts';
import { nodeFollowUps, nodeRequests } from '../../src/facts/node-requests.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { openTarget, parseTargetSpec } from '../../src/target/index.ts';
import { startVm, stepTimer, vmLabAvailable, vmSh as sh, type Vm } from '../support/vm-lab.ts';

const lab = vmLabAvailable();
const skipReason = lab.ok ? '' : ` (skipped: ${lab.reason})`;
const bootTimeout = 15 * 60_000;
const { timings, timed } = stepTimer();
const profile = profileSchema.parse(defaultProfile);

/** A config as a heredoc-free printf, so quotes in TOML survive the shell. */
const write = (path: string, text: string): string => `mkdir -p "$(dirname ${path})" && printf '%s' '${text.replaceAll("'", "'\\''")}' > ${path}`;

afterAll(() => {
  if (Object.keys(timings).length > 0) console.info(`runtime-fidelity VM timings (s): ${JSON.stringify(timings)}`);
});

describe.skipIf(!lab.ok)(`containerd's own verdict on its config, on the VM lab node${skipReason}`, () => {
  let vm: Vm;
  beforeAll(async () => {
    vm = await timed('build+boot', () => startVm());
    await sh(vm, 'cp /etc/containerd/config.toml /root/config.toml.orig 2>/dev/null || true');
  }, bootTimeout);
  afterAll(async () => vm?.stop());

  /** Install the files, restart containerd under systemd, and report whether it runs and what it logged. */
  async function restartWith(files: Record<string, string>): Promise<{ active: boolean; refusal: string }> {
    await sh(vm, ['rm -rf /etc/containerd/conf.d', ...Object.entries(files).map(([p, t]) => write(p, t))].join(' && '));
    await sh(vm, 'systemctl reset-failed containerd; systemctl restart containerd || true; sleep 2');
    const active = (await sh(vm, 'systemctl is-active containerd || true')) === 'active';
    // The daemon's last words, as systemd's journal keeps them ("containerd: failed to load TOML ...").
    const refusal = active ? '' : (await sh(vm, "journalctl -u containerd -n 30 --no-pager -o cat | grep '^containerd: ' | tail -n 1 || true"));
    return { active, refusal };
  }

  async function audit(id: string) {
    const target = await openTarget(parseTargetSpec(vm.target), { identityFile: vm.identityFile, knownHostsFile: vm.knownHostsFile });
    try {
      const facts = await gatherFacts(target, { node: 'vm', requests: nodeRequests(profile), followUps: (r) => nodeFollowUps(r, profile) });
      return runtimeEvaluators[id]!(facts, profile);
    } finally {
      await target.close();
    }
  }

  const cases: ReadonlyArray<{ name: string; files: Record<string, string>; runs: boolean }> = [
    {
      name: 'a relative glob import is expanded in containerd\'s cwd (/), so a bad drop-in next to the config is never read',
      files: { '/etc/containerd/config.toml': 'version = 2\nimports = ["conf.d/*.toml"]\n', '/etc/containerd/conf.d/bad.toml': '[plugins.cri]\n' },
      runs: true,
    },
    {
      name: 'the same drop-in through an absolute glob is read, and its short plugin key makes containerd refuse to start',
      files: { '/etc/containerd/config.toml': 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n', '/etc/containerd/conf.d/bad.toml': '[plugins.cri]\n' },
      runs: false,
    },
    {
      name: 'disabled_plugins = ["cri"] under version 2 is refused',
      files: { '/etc/containerd/config.toml': 'version = 2\ndisabled_plugins = ["cri"]\n' },
      runs: false,
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const daemon = await timed(`restart: ${c.name.slice(0, 30)}`, () => restartWith(c.files));
      expect(daemon.active, daemon.refusal).toBe(c.runs);
      const v = await timed(`audit: ${c.name.slice(0, 30)}`, () => audit('RT-2.2.1'));
      expect(v.status, v.message).toBe(c.runs ? 'pass' : 'fail');
      expect(c.runs ? '' : `containerd: ${v.actual.replace(/^refused: /, '')}`).toBe(daemon.refusal);
    }, 240_000);
  }

  test('an import that sets one CRI key replaces the CRI section: SystemdCgroup is lost, and RT-2.2.3 says which file did it', async () => {
    const daemon = await restartWith({
      '/etc/containerd/config.toml': 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n',
      '/etc/containerd/conf.d/registry.toml': '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
    });
    expect(daemon.active).toBe(true);
    // What the running daemon's CRI plugin holds (1.6's `config dump` merges as the daemon did at start).
    expect(await sh(vm, "containerd config dump | grep -c 'SystemdCgroup = true' || true")).toBe('0');
    const v = await audit('RT-2.2.3');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/etc/containerd/conf.d/registry.toml redefines [plugins."io.containerd.grpc.v1.cri"]');
    await sh(vm, 'rm -rf /etc/containerd/conf.d; [ -f /root/config.toml.orig ] && cp /root/config.toml.orig /etc/containerd/config.toml; systemctl restart containerd || true');
  }, 240_000);
});
