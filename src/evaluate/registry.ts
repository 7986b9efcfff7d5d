// Evaluators keyed by check ID: pure functions from facts and profile to a verdict.
import type { NodeFacts } from '../facts/types.ts';
import type { Profile } from '../profile/schema.ts';
import type { Verdict } from './verdict.ts';
import { hostEvaluators } from './host/index.ts';
import { kubeletEvaluators } from './kubelet/index.ts';
import { runtimeEvaluators } from './runtime/index.ts';
import { securityEvaluators } from './security/index.ts';

export type Evaluator = (facts: NodeFacts, profile: Profile) => Verdict;

export const evaluators: Readonly<Record<string, Evaluator>> = { ...hostEvaluators, ...runtimeEvaluators, ...kubeletEvaluators, ...securityEvaluators };
