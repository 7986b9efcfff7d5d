// The security checks of the hostpath-escalation threat row (Pod Security in the workload namespaces); title, level and remediation come from the catalog.
import { clusterCheck, declareChecks, liveCheck } from '../../src/run/declare-checks.ts';
import { evaluatePodSecurityLabels } from '../../src/evaluate/cluster/namespaces.ts';

declareChecks('security', 'hostpath-escalation', [
  clusterCheck('SEC-4.3.3', evaluatePodSecurityLabels),
  liveCheck('SEC-4.3.4'),
]);
