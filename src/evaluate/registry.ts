// Every evaluator by catalog ID, kept only for test/unit/host-index.test.ts; the binding of record is suites/.
import { hostEvaluators } from './host/index.ts';
import { kubeletEvaluators } from './kubelet/index.ts';
import { runtimeEvaluators } from './runtime/index.ts';
import { securityEvaluators } from './security/index.ts';
import type { Evaluator } from './evaluator.ts';

export type { Evaluator } from './evaluator.ts';

export const evaluators: Readonly<Record<string, Evaluator>> = { ...hostEvaluators, ...runtimeEvaluators, ...kubeletEvaluators, ...securityEvaluators };
