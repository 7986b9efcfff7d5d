// The evaluator signature under the name the host evaluators import it by.
export type { Evaluator } from '../evaluator.ts';
