import type { SimInstance } from './sim-store.js';
import { podName, podsOf, SERVICE_PORT, serviceName } from './instance-view.js';

// The JSON texts of the original k8s plugin's query, workloadEvents and queryKPI answers, field names as the
// original controller reads them. Usage values are plain numbers as text: millicores, bytes.

export function queryJson(inst: SimInstance): string {
  return JSON.stringify({
    pods: podsOf(inst).map((p) => ({
      podstatus: p.phase,
      podname: p.name,
      containers: [{ containername: 'app', metricsusage: { cpuusage: String(p.cpuMilli), memusage: String(p.memBytes), diskusage: '0' } }],
    })),
    services: [
      {
        serviceName: serviceName(inst),
        type: 'ClusterIP',
        ports: [{ port: String(SERVICE_PORT.port), targetPort: SERVICE_PORT.targetPort, nodePort: String(SERVICE_PORT.nodePort), protocol: SERVICE_PORT.protocol, name: SERVICE_PORT.name }],
      },
    ],
    cpupercent: 0,
    mempercent: 0,
  });
}

export function workloadEventsJson(inst: SimInstance): string {
  // Listed under the pod's name even when STOPPED has removed the pod: the events are still worth showing.
  return JSON.stringify({ pods: [{ podName: podName(inst), podEventsInfo: inst.events.map((e) => e.message) }] });
}

/** The simulated node: 16 cores, 64 GiB; each running pod uses what podsOf() says. */
const NODE_CPU_CORES = 16;
const NODE_MEM_BYTES = 64 * 1024 ** 3;

export function kpiJson(instances: Iterable<SimInstance>): string {
  let cpuMilli = 0;
  let memBytes = 0;
  for (const inst of instances) {
    for (const p of podsOf(inst)) {
      cpuMilli += p.cpuMilli;
      memBytes += p.memBytes;
    }
  }
  return JSON.stringify({
    data: { cpuusage: { total: NODE_CPU_CORES, used: cpuMilli / 1000 }, memusage: { total: NODE_MEM_BYTES, used: memBytes } },
    retCode: 0,
    message: 'success',
    params: null,
  });
}
