// The kubelet's effective configuration over replayed facts: systemd's assembly of the command line (drop-in
// order, /etc masking, EnvironmentFile= over Environment=), flags over drop-ins over the file over defaults,
// the kubelet's zero-duration defaulting, and the /configz seam.
import { describe, expect, it } from 'vitest';
import { effectiveConfig, describeDisagreement } from '../../src/kubelet/effective.ts';
import { kubeletService } from '../../src/kubelet/systemd-unit.ts';
import { formatTyped } from '../../src/kubelet/fields.ts';
import { file, missing, ran } from '../support/facts.ts';
import { cmdlineOutput, compliantArgv, hardeningDropIn, kdrift, kubeletCompliantFacts } from '../support/kubelet-facts.ts';

const notRunning = { 'kubelet-cmdline': ran('# pid: none\n') };
const etcDir = '/etc/systemd/system/kubelet.service.d';

describe('systemd assembles the kubelet command line', () => {
  it('expands ExecStart from Environment= and EnvironmentFile= values, tagging each word with its file', () => {
    const svc = kubeletService(kubeletCompliantFacts());
    expect(svc.fragment?.path).toBe('/lib/systemd/system/kubelet.service');
    expect(svc.dropIns.map((d) => d.path)).toEqual(['/lib/systemd/system/kubelet.service.d/10-kubeadm.conf']);
    expect(svc.shadowedDropIns).toEqual([{ path: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', by: '/lib/systemd/system/kubelet.service.d/10-kubeadm.conf' }]);
    expect(svc.argv.map((w) => w.word)).toEqual(compliantArgv);
    expect(svc.argv[4]?.origin).toMatchObject({ file: '/var/lib/kubelet/kubeadm-flags.env', variable: 'KUBELET_KUBEADM_ARGS' });
  });

  it("the guide's trap: /etc/default/kubelet's empty KUBELET_EXTRA_ARGS= overrides 20-hardening.conf's Environment=", () => {
    const facts = kdrift(kubeletCompliantFacts(), {
      files: { [`${etcDir}/20-hardening.conf`]: file(hardeningDropIn, 0o644) },
      dirs: { [etcDir]: { state: 'present', entries: ['20-hardening.conf'] } },
      commands: notRunning,
    });
    const svc = kubeletService(facts);
    expect(svc.dropIns.map((d) => d.path)).toEqual(['/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', `${etcDir}/20-hardening.conf`]);
    const extra = svc.environment.get('KUBELET_EXTRA_ARGS');
    expect(extra?.value).toBe('');
    expect(extra?.origin.file).toBe('/etc/default/kubelet');
    expect(extra?.overridden.map((o) => o.origin.file)).toEqual([`${etcDir}/20-hardening.conf`]);
    const eff = effectiveConfig(facts);
    expect(eff.commandLine?.origin).toBe('systemd');
    expect(eff.commandLine?.args).not.toContain('--read-only-port=0');
  });

  it('a hardening line in /etc/default/kubelet itself reaches the command line, attributed to that file', () => {
    const facts = kdrift(kubeletCompliantFacts(), {
      files: { '/etc/default/kubelet': file('KUBELET_EXTRA_ARGS="--read-only-port=0 --event-qps=5"\n') },
      commands: notRunning,
    });
    const s = effectiveConfig(facts).setting('readOnlyPort');
    expect(s.winner.kind).toBe('cmdline');
    expect(s.winner.origin).toMatchObject({ file: '/etc/default/kubelet', variable: 'KUBELET_EXTRA_ARGS', line: 1 });
  });

  it('a drop-in in /etc masks the same name in /lib; drop-ins apply by file name across directories', () => {
    const facts = kdrift(kubeletCompliantFacts(), {
      files: {
        [`${etcDir}/10-kubeadm.conf`]: file('[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --v=4\n'),
        '/run/systemd/system/kubelet.service.d/05-early.conf': file('[Service]\nEnvironment=A=1\n'),
      },
      dirs: {
        [etcDir]: { state: 'present', entries: ['10-kubeadm.conf'] },
        '/run/systemd/system/kubelet.service.d': { state: 'present', entries: ['05-early.conf'] },
      },
      commands: notRunning,
    });
    const svc = kubeletService(facts);
    expect(svc.dropIns.map((d) => d.path)).toEqual(['/run/systemd/system/kubelet.service.d/05-early.conf', `${etcDir}/10-kubeadm.conf`]);
    expect(svc.shadowedDropIns.map((s) => s.path)).toContain('/lib/systemd/system/kubelet.service.d/10-kubeadm.conf');
    expect(svc.argv.map((w) => w.word)).toEqual(['/usr/bin/kubelet', '--v=4']);
  });

  it('${VAR} stays one word, $VAR splits, and an undefined $VAR vanishes', () => {
    const facts = kdrift(kubeletCompliantFacts(), {
      files: { [`${etcDir}/30-x.conf`]: file('[Service]\nEnvironment="X=--a=1 --b=2"\nExecStart=\nExecStart=/usr/bin/kubelet $X ${X} $UNSET\n') },
      dirs: { [etcDir]: { state: 'present', entries: ['30-x.conf'] } },
    });
    expect(kubeletService(facts).argv.map((w) => w.word)).toEqual(['/usr/bin/kubelet', '--a=1', '--b=2', '--a=1 --b=2']);
  });

  it('warns about a required EnvironmentFile= that is missing and about invalid assignments', () => {
    const facts = kdrift(kubeletCompliantFacts(), {
      files: { [`${etcDir}/30-x.conf`]: file('[Service]\nEnvironmentFile=/etc/kubelet.env\nEnvironment=”bad=1”\n'), '/etc/kubelet.env': missing },
      dirs: { [etcDir]: { state: 'present', entries: ['30-x.conf'] } },
    });
    const w = kubeletService(facts).warnings.join('\n');
    expect(w).toContain('EnvironmentFile=/etc/kubelet.env does not exist');
    expect(w).toContain('invalid environment assignment');
  });
});

describe('layers: command line over drop-ins over the file over defaults', () => {
  it('the running process wins over the file, and the message shows every layer', () => {
    const facts = kdrift(kubeletCompliantFacts(), {
      files: { '/var/lib/kubelet/config.yaml': file('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n', 0o600) },
      commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, '--read-only-port=0'])) },
    });
    const eff = effectiveConfig(facts);
    expect(eff.commandLine).toMatchObject({ origin: 'process', source: '/proc/812/cmdline', pid: 812 });
    const s = eff.setting('readOnlyPort');
    expect(s.winner.label).toBe('cmdline');
    expect(formatTyped(s.value)).toBe('0');
    const d = describeDisagreement(s);
    expect(d).toContain('cmdline: --read-only-port=0 ← wins');
    expect(d).toContain('file:/var/lib/kubelet/config.yaml: readOnlyPort: 10255');
    expect(d).toContain('default: 0');
  });

  it("a zero duration in the file takes the 4h default; --streaming-connection-idle-timeout=0 does not", () => {
    const file0 = effectiveConfig(kubeletCompliantFacts()).setting('streamingConnectionIdleTimeout');
    expect(file0).toMatchObject({ defaulted: true });
    expect(formatTyped(file0.value)).toBe('4h0m0s');
    const facts = kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, '--streaming-connection-idle-timeout=0'])) } });
    const cmd0 = effectiveConfig(facts).setting('streamingConnectionIdleTimeout');
    expect(cmd0.winner.kind).toBe('cmdline');
    expect(formatTyped(cmd0.value)).toBe('0s');
  });

  it('without --config the kubelet keeps its legacy flag defaults (read-only port 10255, anonymous on)', () => {
    const facts = kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput(['/usr/bin/kubelet', '--kubeconfig=/etc/kubernetes/kubelet.conf'])) } });
    const eff = effectiveConfig(facts);
    expect(eff.configFile).toBeNull();
    expect(formatTyped(eff.setting('readOnlyPort').value)).toBe('10255');
    expect(eff.setting('readOnlyPort').winner.raw).toBe('flag default (no --config file)');
    expect(formatTyped(eff.setting('authentication.anonymous.enabled').value)).toBe('true');
  });

  it('--config-dir drop-ins merge in name order over the file, under the command line', () => {
    const dir = '/etc/kubernetes/kubelet.conf.d';
    const head = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';
    const facts = kdrift(kubeletCompliantFacts(), {
      commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, `--config-dir=${dir}`])) },
      dirs: { [dir]: { state: 'present', entries: ['20-b.conf', '10-a.conf', 'README'] } },
      files: {
        [`${dir}/10-a.conf`]: file(`${head}maxPods: 50\nsystemReserved:\n  cpu: 1\n`),
        [`${dir}/20-b.conf`]: file(`${head}maxPods: 60\n`),
      },
    });
    const eff = effectiveConfig(facts);
    expect(eff.configDir?.files.map((f) => f.path)).toEqual([`${dir}/10-a.conf`, `${dir}/20-b.conf`]);
    const s = eff.setting('maxPods');
    expect(s.winner.label).toBe(`drop-in:${dir}/20-b.conf`);
    expect(formatTyped(s.value)).toBe('60');
    expect(s.layers.map((l) => l.label)).toEqual([`drop-in:${dir}/20-b.conf`, `drop-in:${dir}/10-a.conf`, 'file:/var/lib/kubelet/config.yaml', 'default']);
  });

  it('/configz, when given, wins and is named as the source', () => {
    const eff = effectiveConfig(kubeletCompliantFacts(), { configz: { kubeletconfig: { readOnlyPort: 10255 } } });
    const s = eff.setting('readOnlyPort');
    expect(s.winner.label).toBe('configz');
    expect(describeDisagreement(s)).toContain('file:/var/lib/kubelet/config.yaml: readOnlyPort: 0');
  });

  it('an unreadable or missing config file blocks every setting with the reason', () => {
    const eff = effectiveConfig(kdrift(kubeletCompliantFacts(), { files: { '/var/lib/kubelet/config.yaml': missing } }));
    expect(eff.blocking.join()).toContain('/var/lib/kubelet/config.yaml does not exist');
    const none = effectiveConfig(kdrift(kubeletCompliantFacts(), { commands: notRunning, files: { '/lib/systemd/system/kubelet.service': missing, '/usr/lib/systemd/system/kubelet.service': missing }, dirs: { '/lib/systemd/system/kubelet.service.d': { state: 'missing' }, '/usr/lib/systemd/system/kubelet.service.d': { state: 'missing' } } }));
    expect(none.commandLine).toBeNull();
    expect(none.blocking.join()).toContain('no kubelet process is running and no kubelet.service unit defines ExecStart=');
  });

  it('a stopped kubelet whose drop-in directory was not listed is not guessed at', () => {
    const facts = kdrift(kubeletCompliantFacts(), { commands: notRunning });
    const dirs = { ...facts.dirs };
    delete dirs['/run/systemd/system/kubelet.service.d'];
    expect(effectiveConfig({ ...facts, dirs }).blocking.join()).toContain('directory /run/systemd/system/kubelet.service.d was not listed by the probe');
  });

  it('a shebang stand-in shows its interpreter first; the arguments after the kubelet path still count', () => {
    const facts = kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput(['/bin/sh', ...compliantArgv])) } });
    expect(effectiveConfig(facts).flag('config')?.value).toBe('/var/lib/kubelet/config.yaml');
  });
});

describe("systemd's own report cross-checks the model", () => {
  it('says when systemctl show lists a drop-in the model did not apply, and treats /usr/lib as /lib', () => {
    expect(kubeletService(kubeletCompliantFacts()).warnings).toEqual([]);
    const facts = kdrift(kubeletCompliantFacts(), {
      commands: { 'kubelet-systemctl-show': ran('FragmentPath=/lib/systemd/system/kubelet.service\nDropInPaths=/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf /etc/systemd/system/service.d/50-all.conf\n') },
    });
    expect(kubeletService(facts).warnings).toEqual(['systemctl show kubelet lists /etc/systemd/system/service.d/50-all.conf, which this model of the unit did not apply']);
  });
});
