// The kubelet checks of the resource-exhaustion threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateEvictionHard, evaluateEvictionSoft, evaluateKubeReserved, evaluateMaxPods, evaluateSystemReserved } from '../../src/evaluate/kubelet/resources.ts';
import { evaluateEventQPS, evaluatePodPids } from '../../src/evaluate/kubelet/settings.ts';

declareChecks('kubelet', 'resource-exhaustion', [
  check('KUBELET-3.3.3', evaluateEventQPS),
  check('KUBELET-3.3.14', evaluatePodPids),
  check('KUBELET-3.4.1', evaluateSystemReserved),
  check('KUBELET-3.4.2', evaluateKubeReserved),
  check('KUBELET-3.4.3', evaluateEvictionHard),
  check('KUBELET-3.4.4', evaluateEvictionSoft),
  check('KUBELET-3.4.5', evaluateMaxPods),
]);
