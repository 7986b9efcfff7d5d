// The runtime checks of the availability threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateConfigParses, evaluateCriEnabled } from '../../src/evaluate/runtime/config.ts';
import { evaluateService } from '../../src/evaluate/runtime/service.ts';
import { evaluateSocketApi } from '../../src/evaluate/runtime/socket-api.ts';

declareChecks('runtime', 'availability', [
  check('RT-2.1.1', evaluateService),
  check('RT-2.1.2', evaluateSocketApi),
  check('RT-2.2.1', evaluateConfigParses),
  check('RT-2.2.2', evaluateCriEnabled),
]);
