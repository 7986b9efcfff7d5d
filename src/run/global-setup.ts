// Vitest global setup when the suites run under plain `vitest`: resolve settings, observe each node once, provide the facts.
import type { TestProject } from 'vitest/node';
import './context.ts';
import { observeNodes } from './observe.ts';
import { exitForFailure, resolveSuiteRun } from './suite-settings.ts';

export default async function setup(project: TestProject): Promise<void> {
  // The CLI observes the nodes itself, overlapped with Vitest's start, and provides the result.
  if (project.getProvidedContext().nodegate) return;
  const { settings, profile } = await resolveSuiteRun();
  try {
    const observations = await observeNodes(settings, profile);
    project.provide('nodegate', { profile, observations: { kind: 'provided', observations }, only: settings.only, skip: settings.skip });
  } catch (cause) {
    exitForFailure(cause);
  }
}
