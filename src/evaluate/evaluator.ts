// The one signature every check evaluator has, in a module of its own so nothing imports a table to get a type.
import type { NodeFacts } from '../facts/types.ts';
import type { Profile } from '../profile/schema.ts';
import type { Verdict } from './verdict.ts';

/** A pure function from one node's facts and that node's profile to a verdict; it opens no connection. */
export type Evaluator = (facts: NodeFacts, profile: Profile) => Verdict;
