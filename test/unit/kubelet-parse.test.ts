// Typed kubelet values and systemd's text rules: Go durations, quantities, pflag command lines, unit files,
// Environment= words and EnvironmentFile= files read the way the kubelet and systemd read them.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/kubelet/duration.ts';
import { parseQuantity, parseThreshold } from '../../src/kubelet/quantity.ts';
import { parseKubeletArgs, typedFromFlag, occurrences } from '../../src/kubelet/flags.ts';
import { fieldSpec } from '../../src/kubelet/fields.ts';
import { parseEnvFile, parseEnvironmentLine, parseUnitFile, splitWords } from '../../src/kubelet/systemd-syntax.ts';
import { parseKubeletConfig, mergeConfig } from '../../src/kubelet/config-file.ts';

const ns = (text: string): bigint => {
  const d = parseDuration(text);
  if (!d.ok) throw new Error(d.error);
  return d.ns;
};
const nano = (text: string): bigint => {
  const q = parseQuantity(text);
  if (!q.ok) throw new Error(q.error);
  return q.nano;
};

describe('Go durations', () => {
  it('parses the forms kubeadm and people write, equal by value', () => {
    expect(ns('4h0m0s')).toBe(ns('4h'));
    expect(ns('1m30s')).toBe(ns('90s'));
    expect(ns('0s')).toBe(0n);
    expect(ns('0')).toBe(0n);
    expect(ns('1.5h')).toBe(ns('90m'));
    expect(ns('500ms')).toBe(500_000_000n);
    expect(ns('-1m')).toBe(-60_000_000_000n);
  });
  it('rejects what Go rejects', () => {
    for (const bad of ['4', '4 h', 'h', '', '1d', '1m30']) expect(parseDuration(bad).ok, bad).toBe(false);
  });
  it("formats like Go's Duration.String()", () => {
    expect(formatDuration(ns('4h'))).toBe('4h0m0s');
    expect(formatDuration(ns('90s'))).toBe('1m30s');
    expect(formatDuration(0n)).toBe('0s');
    expect(formatDuration(ns('1.5s'))).toBe('1.5s');
    expect(formatDuration(ns('250ms'))).toBe('250ms');
  });
});

describe('quantities and thresholds', () => {
  it('compares binary, decimal and milli suffixes by value', () => {
    expect(nano('1Gi')).toBe(nano('1024Mi'));
    expect(nano('500m')).toBe(nano('0.5'));
    expect(nano('1k')).toBe(nano('1000'));
    expect(nano('1e3')).toBe(nano('1k'));
    expect(nano('1G')).not.toBe(nano('1Gi'));
  });
  it('rejects units the API does not know', () => {
    for (const bad of ['1GB', '1 Gi', 'Gi', '1gi', '']) expect(parseQuantity(bad).ok, bad).toBe(false);
  });
  it('reads eviction thresholds as percent or quantity', () => {
    expect(parseThreshold('10%')).toEqual({ ok: true, value: { kind: 'percent', percent: 10 } });
    expect(parseThreshold('500Mi')).toEqual({ ok: true, value: { kind: 'quantity', nano: nano('500Mi') } });
    expect(parseThreshold('150%').ok).toBe(false);
  });
});

describe('kubelet command line (pflag)', () => {
  it('takes --name=value, --name value and bare booleans; the last occurrence wins', () => {
    const p = parseKubeletArgs(['--config', '/etc/k.yaml', '--read-only-port=10255', '--rotate-certificates', '--read-only-port=0', '--v=2']);
    expect(p.positional).toEqual([]);
    expect(occurrences(p, 'config')[0]?.value).toBe('/etc/k.yaml');
    expect(typedFromFlag(fieldSpec('readOnlyPort')!, occurrences(p, 'read-only-port'))).toEqual({ ok: true, value: { type: 'int', value: 0 } });
    expect(typedFromFlag(fieldSpec('rotateCertificates')!, occurrences(p, 'rotate-certificates'))).toEqual({ ok: true, value: { type: 'bool', value: true } });
  });
  it('does not let a bare boolean swallow the next flag', () => {
    const p = parseKubeletArgs(['--anonymous-auth', '--config=/x']);
    expect(p.flags.map((f) => [f.name, f.value])).toEqual([['anonymous-auth', undefined], ['config', '/x']]);
  });
  it('reads Go booleans, durations and map flags', () => {
    const p = parseKubeletArgs(['--protect-kernel-defaults=True', '--streaming-connection-idle-timeout=0', '--eviction-hard=memory.available<500Mi,nodefs.available<10%', '--feature-gates=A=true', '--feature-gates=B=false']);
    expect(typedFromFlag(fieldSpec('protectKernelDefaults')!, occurrences(p, 'protect-kernel-defaults'))).toEqual({ ok: true, value: { type: 'bool', value: true } });
    expect(typedFromFlag(fieldSpec('streamingConnectionIdleTimeout')!, occurrences(p, 'streaming-connection-idle-timeout'))).toEqual({ ok: true, value: { type: 'duration', ns: 0n } });
    expect(typedFromFlag(fieldSpec('evictionHard')!, occurrences(p, 'eviction-hard'))).toEqual({ ok: true, value: { type: 'map', value: { 'memory.available': '500Mi', 'nodefs.available': '10%' } } });
    expect(typedFromFlag(fieldSpec('featureGates')!, occurrences(p, 'feature-gates'))).toEqual({ ok: true, value: { type: 'map', value: { A: 'true', B: 'false' } } });
  });
  it('reports a value the kubelet refuses', () => {
    const p = parseKubeletArgs(['--read-only-port=off']);
    const t = typedFromFlag(fieldSpec('readOnlyPort')!, occurrences(p, 'read-only-port'));
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.error).toContain('--read-only-port=off');
  });
});

describe('systemd unit syntax', () => {
  it('reads sections, comments and continuation lines', () => {
    const d = parseUnitFile('# c\n[Service]\n; c\nExecStart=/usr/bin/kubelet \\\n  --v=2\nEnvironment=A=1\n');
    expect(d).toEqual([
      { section: 'Service', key: 'ExecStart', value: '/usr/bin/kubelet  --v=2', line: 4 },
      { section: 'Service', key: 'Environment', value: 'A=1', line: 6 },
    ]);
  });
  it('splits Environment= into quoted assignments and drops invalid names as systemd does', () => {
    const r = parseEnvironmentLine('"KUBELET_EXTRA_ARGS=--a=1 --b=2" X=y ”cgroup-driver=systemd/cgroup-driver=cgroupfs”');
    expect(r.assignments).toEqual([
      { name: 'KUBELET_EXTRA_ARGS', value: '--a=1 --b=2' },
      { name: 'X', value: 'y' },
    ]);
    expect(r.invalid).toEqual(['”cgroup-driver=systemd/cgroup-driver=cgroupfs”']);
  });
  it('splits words with quotes and escapes', () => {
    expect(splitWords(`a "b c" 'd e' f\\ g`)).toEqual(['a', 'b c', 'd e', 'f g']);
  });
  it('reads EnvironmentFile= files: quotes, trailing blanks, comments, empty values', () => {
    const r = parseEnvFile('# comment\nKUBELET_KUBEADM_ARGS="--a=1 --b=2"    \nKUBELET_EXTRA_ARGS=\n  X = spaced value  \nbad line\n');
    expect(r.entries.map((e) => [e.name, e.value, e.line])).toEqual([
      ['KUBELET_KUBEADM_ARGS', '--a=1 --b=2', 2],
      ['KUBELET_EXTRA_ARGS', '', 3],
      ['X', 'spaced value', 4],
    ]);
    expect(r.invalid.map((i) => i.line)).toEqual([5]);
  });
});

describe('kubelet config files', () => {
  it('requires KubeletConfiguration v1beta1', () => {
    expect(parseKubeletConfig('kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\nmaxPods: 10\n').ok).toBe(true);
    const r = parseKubeletConfig('systemReserved:\n  cpu: 500m\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('kind');
    expect(parseKubeletConfig('a: [').ok).toBe(false);
  });
  it('merges drop-ins the way encoding/json fills a struct: maps merge, lists and scalars replace', () => {
    const m = mergeConfig({ a: { x: 1, y: 2 }, l: [1, 2], s: 1 }, { a: { y: 3 }, l: [9], s: 2 });
    expect(m).toEqual({ a: { x: 1, y: 3 }, l: [9], s: 2 });
  });
});
