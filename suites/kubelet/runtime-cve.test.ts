// The kubelet checks of the runtime-cve threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateHeld } from '../../src/evaluate/kubelet/service.ts';

declareChecks('kubelet', 'runtime-cve', [
  check('KUBELET-3.1.1', evaluateHeld),
]);
