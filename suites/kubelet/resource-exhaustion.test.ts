// Kubelet checks of the "resource-exhaustion" threat row, on the kubelet's effective configuration, one test per check and node.
import { declareChecks } from '../../src/run/declare-checks.ts';

declareChecks('kubelet', 'resource-exhaustion');
