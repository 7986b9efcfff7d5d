// The drift note of a kubelet verdict judged on /configz, for the drift the real cluster lab showed: a running
// kubelet whose value is the zero value (/configz omits it, omitempty) while the file was changed and not applied.
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { evaluateReadOnlyPort } from '../../src/evaluate/kubelet/settings.ts';
import { buildProfile } from '../../src/profile/load.ts';
import { verdictFor } from '../../src/run/verdict-for.ts';
import { configz, healthy } from '../support/fake-apiserver-scenarios.ts';
import { gatherScenario, withFacts } from '../support/fake-apiserver-facts.ts';
import { file } from '../support/facts.ts';
import { compliantConfig, kdrift, kubeletCompliantFacts } from '../support/kubelet-facts.ts';

const profile = buildProfile([]);
let omitted: ClusterFacts;

beforeAll(async () => {
  // The real kubelet's /configz (v1.34.4 on the cluster lab) has no readOnlyPort key at all when it is 0.
  const inner = { ...(configz()['kubeletconfig'] as Record<string, unknown>) };
  delete inner['readOnlyPort'];
  omitted = withFacts(await gatherScenario(healthy()), (m) => {
    m.configz = { ok: true, value: { kubeletconfig: inner }, attempts: 1 };
  });
});

const judge = (fileText: string) =>
  verdictFor(
    'KUBELET-3.3.1',
    { kind: 'node', evaluate: evaluateReadOnlyPort },
    { node: 'worker-01', target: 'test', facts: kdrift(kubeletCompliantFacts(), { files: { '/var/lib/kubelet/config.yaml': file(fileText, 0o600) } }), cluster: { kind: 'observed', facts: omitted } },
    profile,
  );

describe('a running zero value (/configz omits it) under a changed file', () => {
  test('the pass names the drift in actual, where reports show a pass: running 0 from /configz, file says 10255, not restarted', () => {
    // Seen on the lab with labs/cluster/scenarios/readonly-port.sh (no --restart): before the fix the pass said
    // only "Layers disagree", because the note matched "configz: readOnlyPort:" and never "… omitted".
    const v = judge(compliantConfig.replace(/^readOnlyPort: 0$/m, 'readOnlyPort: 10255'));
    expect(v.status).toBe('pass');
    expect(v.actual).toContain('configz: readOnlyPort omitted (zero value) ← wins; file:/var/lib/kubelet/config.yaml: readOnlyPort: 10255');
    expect(v.actual).toContain('readOnlyPort: running 0 from /configz, file says 10255: the kubelet was not restarted after the change.');
  });

  test('no drift, no note: the file says 0 too', () => {
    const v = judge(compliantConfig);
    expect(v.status).toBe('pass');
    expect(v.actual).toBe('readOnlyPort = 0 (configz: readOnlyPort omitted (zero value))');
  });
});
