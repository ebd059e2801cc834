export { SimPlugin } from './sim-plugin.js';
export type { SimCallRecord, SimFault, SimInstanceState, SimPluginOptions, SimRpc } from './sim-options.js';
