import { isNotFound, type KubeClient } from './kube-client.js';
import { bytes, millicores } from './quantity.js';

/**
 * queryKPI in the original's envelope: CPU (cores) and memory (bytes) of the cluster's nodes, `total` their
 * allocatable capacity and `used` what metrics.k8s.io reports them using (0 without a metrics API).
 */
export async function kpiJson(kube: KubeClient): Promise<string> {
  const nodes = await kube.call('list nodes', (o) => kube.core.listNode({}, o));
  let cpuTotal = 0;
  let memTotal = 0;
  for (const n of nodes.items) {
    cpuTotal += millicores(n.status?.allocatable?.['cpu']) / 1000;
    memTotal += bytes(n.status?.allocatable?.['memory']);
  }
  let cpuUsed = 0;
  let memUsed = 0;
  try {
    const m = (await kube.call('read node metrics', (o) => kube.custom.listClusterCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes' }, o))) as {
      items?: { usage?: { cpu?: string; memory?: string } }[];
    };
    for (const n of m.items ?? []) {
      cpuUsed += millicores(n.usage?.cpu) / 1000;
      memUsed += bytes(n.usage?.memory);
    }
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  return JSON.stringify({ data: { cpuusage: { total: cpuTotal, used: cpuUsed }, memusage: { total: memTotal, used: memUsed } }, retCode: 0, message: 'success', params: null });
}
