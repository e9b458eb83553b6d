// Node-side helpers that browser tests call through vitest's `commands` API.
import type { BrowserCommand } from 'vitest/node';
import { loadCore } from '../../src/core/index.ts';
import { referenceProfileBytes } from '../core/fixtures/reference-profile.ts';
import { dashboardCommands } from '../dashboard/commands.ts';

const coreReferenceBytes: BrowserCommand<[seed: number]> = async (_ctx, seed) => Array.from(referenceProfileBytes(await loadCore(), seed));

export const browserCommands = { coreReferenceBytes, ...dashboardCommands };
