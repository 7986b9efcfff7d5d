// HOST checks of the "runtime-cve" threat row, one test per check and node.
import { declareChecks } from '../../src/run/declare-checks.ts';

declareChecks('host', 'runtime-cve');
