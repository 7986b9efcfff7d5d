// The resources checks of the resource-exhaustion threat row (allocatable arithmetic, pressure, limits); title, level and remediation come from the catalog.
import { clusterCheck, declareChecks, liveCheck } from '../../src/run/declare-checks.ts';
import { evaluateAllocatableCpu, evaluateAllocatableEphemeral, evaluateAllocatableMemory, evaluateAllocatablePods } from '../../src/evaluate/cluster/allocatable.ts';
import { evaluateNoPressure } from '../../src/evaluate/cluster/node-status.ts';

declareChecks('resources', 'resource-exhaustion', [
  clusterCheck('RES-6.1.1', evaluateAllocatableMemory),
  clusterCheck('RES-6.1.2', evaluateAllocatableCpu),
  clusterCheck('RES-6.1.3', evaluateAllocatableEphemeral),
  clusterCheck('RES-6.1.4', evaluateAllocatablePods),
  liveCheck('RES-6.2.1'),
  liveCheck('RES-6.2.2'),
  liveCheck('RES-6.2.3'),
  clusterCheck('RES-6.3.1', evaluateNoPressure),
]);
