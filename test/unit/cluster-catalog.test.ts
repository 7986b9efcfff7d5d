// The cluster catalog rows: every evaluated ID is declared once, with the catalog's exact title and level, and
// every declaration has an evaluator; deploy/rbac.yaml grants exactly the reads the gatherer makes.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { clusterReads } from '../../src/cluster/gather.ts';
import { clusterChecks } from '../../src/catalog/cluster.ts';
import { catalog } from '../../src/catalog/index.ts';
import { networkChecks, networkLiveIds } from '../../src/catalog/network.ts';
import { resourcesChecks, resourcesLiveIds } from '../../src/catalog/resources.ts';
import { clusterEvaluators } from '../../src/evaluate/cluster/index.ts';

const declared = [...clusterChecks, ...networkChecks, ...resourcesChecks];

describe('cluster catalog rows', () => {
  test('one declaration per evaluator and back', () => {
    expect(declared.map((c) => c.id).sort()).toEqual(Object.keys(clusterEvaluators).sort());
    expect(new Set(declared.map((c) => c.id)).size).toBe(declared.length);
  });

  test('titles and levels are the catalog\'s (docs/catalog.md rows)', () => {
    const doc = readFileSync(new URL('../../docs/catalog.md', import.meta.url), 'utf8');
    for (const c of declared) {
      const row = doc.split('\n').find((l) => l.startsWith(`| ${c.id} |`));
      expect(row, c.id).toBeDefined();
      const cols = (row ?? '').split('|').map((x) => x.trim());
      expect(cols[2], c.id).toBe(c.title);
      expect(cols[4]?.startsWith(c.level), c.id).toBe(true);
      expect(cols[3], c.id).toBe(c.threat);
    }
  });

  test('once indexed or not, no ID is in the catalog twice, and the live IDs are not declared here', () => {
    // src/catalog/index.ts takes these rows in when the suites are wired: each must then appear exactly once.
    for (const c of declared) expect(catalog.filter((x) => x.id === c.id).length, c.id).toBeLessThanOrEqual(1);
    for (const id of [...networkLiveIds, ...resourcesLiveIds]) expect(declared.some((c) => c.id === id)).toBe(false);
  });
});

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

describe('deploy/rbac.yaml', () => {
  const docs = parseAllDocuments(readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: Rule[] });
  const role = (name: string): Rule[] => docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === name)?.rules ?? [];
  const grants = (rules: Rule[], verb: string, group: string, resource: string, url?: string): boolean =>
    rules.some((r) => r.verbs.includes(verb) && (url ? (r.nonResourceURLs ?? []).includes(url) : (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource)));

  test('the read-only role grants every read the gatherer makes', () => {
    const ro = role('nodegate-read');
    const reads = [clusterReads.version(), clusterReads.node('n'), clusterReads.podsOnNode(), clusterReads.namespaces(), clusterReads.networkPolicies('x'), clusterReads.systemPods('kube-system'), clusterReads.configz('n'), clusterReads.nodeMetrics('n')];
    for (const r of reads) expect(grants(ro, r.verb, r.group, r.resource, r.nonResourceURL), JSON.stringify(r)).toBe(true);
  });

  test('the read-only role only reads; writes live in the live role', () => {
    const verbs = new Set(role('nodegate-read').flatMap((r) => r.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list']);
    const live = role('nodegate-live');
    expect(grants(live, 'create', '', 'namespaces')).toBe(true);
    expect(grants(live, 'delete', '', 'namespaces')).toBe(true);
    expect(grants(live, 'create', '', 'pods')).toBe(true);
    expect(grants(live, 'watch', '', 'pods')).toBe(true);
    expect(grants(live, 'get', '', 'pods/log')).toBe(true);
    expect(grants(live, 'create', 'networking.k8s.io', 'networkpolicies')).toBe(true);
    // Never secrets, never exec by default.
    for (const r of [...role('nodegate-read'), ...live]) {
      expect(r.resources ?? []).not.toContain('secrets');
      expect(r.resources ?? []).not.toContain('pods/exec');
    }
  });

  test('a ServiceAccount bound to both roles is given as the example', () => {
    expect(docs.filter((d) => d.kind === 'ServiceAccount').map((d) => d.metadata.name)).toEqual(['nodegate']);
    expect(docs.filter((d) => d.kind === 'ClusterRoleBinding').map((d) => d.metadata.name).sort()).toEqual(['nodegate-live', 'nodegate-read']);
  });
});
