// The host checks of the runtime-cve threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { osSupported } from '../../src/evaluate/host/identity.ts';

declareChecks('host', 'runtime-cve', [
  check('HOST-1.1.4', osSupported),
]);
