// The network checks of the availability threat row (the node's network, DNS, the API server from a pod); title, level and remediation come from the catalog.
import { clusterCheck, declareChecks, liveCheck } from '../../src/run/declare-checks.ts';
import { evaluateNetworkAvailable } from '../../src/evaluate/cluster/node-status.ts';

declareChecks('network', 'availability', [
  clusterCheck('NET-5.1.1', evaluateNetworkAvailable),
  liveCheck('NET-5.2.1'),
  liveCheck('NET-5.2.2'),
  liveCheck('NET-5.3.1'),
]);
