import type { ConformanceCheck } from './check-context.js';
import { configChecks } from './config-checks.js';
import { extensionChecks } from './extension-checks.js';
import { instanceChecks } from './instance-checks.js';
import { packageChecks } from './package-checks.js';
import { refusalChecks } from './refusal-checks.js';

/** Every check of the plugin contract (docs/plugin-protocol.md), in the order they run. */
export const conformanceChecks: readonly ConformanceCheck[] = [...extensionChecks, ...configChecks, ...packageChecks, ...instanceChecks, ...refusalChecks];
