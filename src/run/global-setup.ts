// Vitest global setup when the suites run under plain `vitest`: resolve settings, observe each node once, provide the facts.
import type { TestProject } from 'vitest/node';
import { buildProfile } from '../profile/load.ts';
import './context.ts';
import { observeNodes } from './observe.ts';
import { resolveSettings } from './settings.ts';

export default async function setup(project: TestProject): Promise<void> {
  // The CLI observes the nodes itself, overlapped with Vitest's start, and provides the result.
  if (project.getProvidedContext().nodegate) return;
  const settings = await resolveSettings({}, process.env, process.cwd());
  const profile = buildProfile(settings.profileLayers);
  const observations = await observeNodes(settings, profile);
  project.provide('nodegate', { profile, observations: { kind: 'provided', observations }, only: settings.only, skip: settings.skip });
}
