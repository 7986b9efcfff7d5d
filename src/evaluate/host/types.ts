// The evaluator signature, imported type-only from the registry (which imports this directory's index).
export type { Evaluator } from '../registry.ts';
