export { K8sPlugin } from './k8s-plugin.js';
export type { K8sPluginOptions } from './k8s-options.js';
