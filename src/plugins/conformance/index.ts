export { conformanceChecks } from './checks.js';
export type { CheckContext, ConformanceCheck, ConformanceOptions } from './check-context.js';
export { runConformance, type CheckResult } from './run-conformance.js';
export { runPluginCheck, type PluginCheckOptions } from './cli.js';
