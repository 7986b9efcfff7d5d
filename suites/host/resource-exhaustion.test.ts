// The host checks of the resource-exhaustion threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { noActiveSwap, swapStaysOff } from '../../src/evaluate/host/swap.ts';

declareChecks('host', 'resource-exhaustion', [
  check('HOST-1.2.1', noActiveSwap),
  check('HOST-1.2.2', swapStaysOff),
]);
