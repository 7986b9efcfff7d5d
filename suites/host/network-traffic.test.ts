// HOST checks of the "network-traffic" threat row, one test per check and node.
import { declareChecks } from '../../src/run/declare-checks.ts';

declareChecks('host', 'network-traffic');
