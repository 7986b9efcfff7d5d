// The runtime checks of the resource-exhaustion threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateCgroupDriversAgree } from '../../src/evaluate/kubelet/cgroup.ts';
import { evaluateSystemdCgroup } from '../../src/evaluate/runtime/config.ts';

declareChecks('runtime', 'resource-exhaustion', [
  check('RT-2.2.3', evaluateSystemdCgroup),
  check('RT-2.2.4', evaluateCgroupDriversAgree),
]);
