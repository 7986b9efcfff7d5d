// What the global setup hands every compliance test file through Vitest's provide/inject.
import type { Profile } from '../profile/schema.ts';
import type { Observation } from './observe.ts';

export interface RunContext {
  readonly profile: Profile;
  readonly observations: readonly Observation[];
  readonly only: readonly string[];
  readonly skip: readonly string[];
}

declare module 'vitest' {
  interface ProvidedContext {
    nodegate: RunContext;
  }
}
