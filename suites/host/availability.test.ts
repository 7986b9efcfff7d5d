// The host checks of the availability threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { hostnameMatches, hostsMapped, kernelNewEnough } from '../../src/evaluate/host/identity.ts';
import { modulesLoadAtBoot, overlayAvailable } from '../../src/evaluate/host/modules.ts';
import { kernelDefaultsSet, sysctlsPersisted } from '../../src/evaluate/host/sysctls.ts';

declareChecks('host', 'availability', [
  check('HOST-1.1.1', hostnameMatches),
  check('HOST-1.1.2', hostsMapped),
  check('HOST-1.1.3', kernelNewEnough),
  check('HOST-1.3.1', overlayAvailable),
  check('HOST-1.3.3', modulesLoadAtBoot),
  check('HOST-1.4.4', sysctlsPersisted),
  check('HOST-1.4.5', kernelDefaultsSet),
]);
