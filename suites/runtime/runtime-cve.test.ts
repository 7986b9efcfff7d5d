// The runtime checks of the runtime-cve threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateContainerdVersion, evaluateRuncVersion } from '../../src/evaluate/runtime/versions.ts';

declareChecks('runtime', 'runtime-cve', [
  check('RT-2.1.3', evaluateContainerdVersion),
  check('RT-2.1.4', evaluateRuncVersion),
]);
