// The network checks of the network-traffic threat row (Cilium on the node, NetworkPolicy); title, level and remediation come from the catalog.
import { clusterCheck, declareChecks, liveCheck } from '../../src/run/declare-checks.ts';
import { evaluateCiliumAgent, evaluateCiliumEndpoints, evaluateCiliumHealth, evaluateHubbleRelay } from '../../src/evaluate/cluster/cilium.ts';
import { evaluateDefaultDeny } from '../../src/evaluate/cluster/namespaces.ts';

declareChecks('network', 'network-traffic', [
  clusterCheck('NET-5.1.2', evaluateCiliumAgent),
  clusterCheck('NET-5.1.3', evaluateCiliumHealth),
  clusterCheck('NET-5.1.4', evaluateCiliumEndpoints),
  clusterCheck('NET-5.1.5', evaluateHubbleRelay),
  liveCheck('NET-5.3.2'),
  liveCheck('NET-5.4.1'),
  liveCheck('NET-5.4.2'),
  clusterCheck('NET-5.4.3', evaluateDefaultDeny),
]);
