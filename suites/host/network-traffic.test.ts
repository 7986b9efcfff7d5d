// The host checks of the network-traffic threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { brNetfilterAvailable } from '../../src/evaluate/host/modules.ts';
import { bridgeIp6tables, bridgeIptables, ipForward } from '../../src/evaluate/host/sysctls.ts';

declareChecks('host', 'network-traffic', [
  check('HOST-1.3.2', brNetfilterAvailable),
  check('HOST-1.4.1', bridgeIptables),
  check('HOST-1.4.2', bridgeIp6tables),
  check('HOST-1.4.3', ipForward),
]);
