// A by-ID table of the host evaluators for unit tests that call a check by its ID. The binding of record is
// suites/; test/unit/suite-bindings.test.ts fails if this table and the suite files disagree.
import { hostnameMatches, hostsMapped, kernelNewEnough, osSupported } from './identity.ts';
import { brNetfilterAvailable, modulesLoadAtBoot, overlayAvailable } from './modules.ts';
import { noActiveSwap, swapStaysOff } from './swap.ts';
import { bridgeIp6tables, bridgeIptables, ipForward, kernelDefaultsSet, sysctlsPersisted } from './sysctls.ts';
import type { Evaluator } from '../evaluator.ts';

export const hostEvaluators: Record<string, Evaluator> = {
  'HOST-1.1.1': hostnameMatches,
  'HOST-1.1.2': hostsMapped,
  'HOST-1.1.3': kernelNewEnough,
  'HOST-1.1.4': osSupported,
  'HOST-1.2.1': noActiveSwap,
  'HOST-1.2.2': swapStaysOff,
  'HOST-1.3.1': overlayAvailable,
  'HOST-1.3.2': brNetfilterAvailable,
  'HOST-1.3.3': modulesLoadAtBoot,
  'HOST-1.4.1': bridgeIptables,
  'HOST-1.4.2': bridgeIp6tables,
  'HOST-1.4.3': ipForward,
  'HOST-1.4.4': sysctlsPersisted,
  'HOST-1.4.5': kernelDefaultsSet,
};
