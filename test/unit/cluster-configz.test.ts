// /configz over the node's layers: agreement is silent, a kubelet not restarted after a change is named in one
// sentence with both values.
import { beforeAll, describe, expect, test } from 'vitest';
import { configzDrift, configzDriftNote, sameTyped } from '../../src/cluster/configz-drift.ts';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { configz, configzDrift as driftScenario, healthy } from '../support/fake-apiserver-scenarios.ts';
import { gatherScenario } from '../support/fake-apiserver-facts.ts';
import { kdrift, kubeletCompliantFacts, compliantArgv, cmdlineOutput } from '../support/kubelet-facts.ts';
import { ran } from '../support/facts.ts';

let ok: ClusterFacts;
let drifted: ClusterFacts;
beforeAll(async () => {
  ok = await gatherScenario(healthy());
  drifted = await gatherScenario(driftScenario());
});

describe('configzDrift', () => {
  test('the guide\'s kubelet and its /configz agree on every field nodegate reads ("2m" = "2m0s", 0s defaulted = 4h0m0s)', () => {
    expect(configzDrift(kubeletCompliantFacts(), configz())).toEqual([]);
  });

  test('/configz serves readOnlyPort 10255 while the file says 0: the sentence names both', () => {
    const d = configzDrift(kubeletCompliantFacts(), configz({ readOnlyPort: 10255 }));
    expect(d).toEqual([
      {
        field: 'readOnlyPort',
        running: '10255',
        declared: '0',
        layer: { kind: 'file', label: 'file:/var/lib/kubelet/config.yaml', raw: 'readOnlyPort: 0' },
        sentence: 'running 10255 from /configz, file says 0: the kubelet was not restarted after the change',
      },
    ]);
  });

  test('through the fixture cluster: the note a kubelet check appends', () => {
    expect(configzDriftNote(kubeletCompliantFacts(), drifted, 'readOnlyPort')).toBe(
      'readOnlyPort: running 10255 from /configz, file says 0: the kubelet was not restarted after the change (file:/var/lib/kubelet/config.yaml: readOnlyPort: 0).',
    );
    expect(configzDriftNote(kubeletCompliantFacts(), ok, 'readOnlyPort')).toBe('');
    expect(configzDriftNote(undefined, drifted, 'readOnlyPort')).toBe('');
  });

  test('a command-line flag that /configz does not reflect is named as the command line', () => {
    const withFlag = kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput([...compliantArgv, '--event-qps=5', '--max-pods=200'])) } });
    const d = configzDrift(withFlag, configz());
    expect(d.map((x) => x.sentence)).toEqual(['running 110 from /configz, command line says 200: the kubelet was not restarted after the change']);
  });

  test('reservations dropped from the running kubelet: a map drift', () => {
    const d = configzDrift(kubeletCompliantFacts(), configz({ systemReserved: undefined }), ['systemReserved']);
    expect(d[0]?.sentence).toBe('running {} from /configz, file says {cpu: 500m, memory: 1Gi, ephemeral-storage: 1Gi}: the kubelet was not restarted after the change');
  });

  test('typed equality: maps by value and key order, durations by length', () => {
    expect(sameTyped({ type: 'map', value: { a: '1Gi', b: '2m' } }, { type: 'map', value: { b: '2m0s', a: '1024Mi' } })).toBe(true);
    expect(sameTyped({ type: 'map', value: { a: '1Gi' } }, { type: 'map', value: { a: '1G' } })).toBe(false);
    expect(sameTyped({ type: 'int', value: 0 }, { type: 'string', value: '0' })).toBe(false);
    // Unset on the node = omitted from /configz (its zero value); a set value is not.
    expect(sameTyped(undefined, { type: 'string', value: '' })).toBe(true);
    expect(sameTyped(undefined, { type: 'string', value: '/etc/kubernetes/pki/kubelet.crt' })).toBe(false);
  });
});
