// The resources checks of the availability threat row (node metrics); title, level and remediation come from the catalog.
import { clusterCheck, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateNodeMetrics } from '../../src/evaluate/cluster/node-status.ts';

declareChecks('resources', 'availability', [
  clusterCheck('RES-6.3.2', evaluateNodeMetrics),
]);
