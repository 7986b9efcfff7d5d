// The runtime checks of the container-escape threat row; title, level and remediation come from the catalog.
import { check, clusterCheck, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateNoSocketMount } from '../../src/evaluate/cluster/pods.ts';
import { evaluateSocketMode, evaluateSocketOwner } from '../../src/evaluate/runtime/socket-perms.ts';

declareChecks('runtime', 'container-escape', [
  check('RT-2.3.1', evaluateSocketMode),
  check('RT-2.3.2', evaluateSocketOwner),
  clusterCheck('RT-2.3.3', evaluateNoSocketMount),
]);
