// Vitest global setup of the compliance suites: resolve settings, observe each node once, provide the facts.
import type { TestProject } from 'vitest/node';
import { buildProfile } from '../profile/load.ts';
import './context.ts';
import { observeNodes } from './observe.ts';
import { resolveSettings } from './settings.ts';

export default async function setup(project: TestProject): Promise<void> {
  const settings = project.getProvidedContext().nodegateSettings ?? (await resolveSettings({}, process.env, process.cwd()));
  const profile = buildProfile(settings.profileLayers);
  const observations = await observeNodes(settings, profile);
  project.provide('nodegate', { profile, observations, only: settings.only, skip: settings.skip });
}
