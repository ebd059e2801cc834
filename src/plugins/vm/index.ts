export { VmPlugin } from './vm-plugin.js';
export type { VmPluginOptions } from './vm-options.js';
