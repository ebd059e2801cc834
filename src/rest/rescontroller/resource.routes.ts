import { Router } from 'express';
import { READERS, WRITERS } from '../lcmcontroller/lcm-auth.js';
import { flavorBody, operateBody, serverBody } from './compute-bodies.js';
import { imageBody, importBody } from './image-bodies.js';
import { networkBody, ruleBody, securityGroupBody } from './network-bodies.js';
import { pathId, resourceCall as call, resourceRoute, type RescontrollerDeps } from './res-route.js';

const HOST = '/v1/tenants/:tenantId/hosts/:hostIp';

/**
 * The original rescontroller's VM resource routes (applcm-original.md §1.8), each one call of the host's plugin
 * resource services. Reads are open to every role, writes to tenants and admins (the original let guests delete
 * networks, §9A 19). `GET …/securityGroups/{id}/securityGroupRules` is new: appo calls it (§9 row 15) and the
 * original had no such route.
 */
export function resourceRoutes(d: RescontrollerDeps): Router {
  const r = Router();
  const read = (build: Parameters<typeof resourceRoute>[1]['call']) => resourceRoute(d, { policy: READERS, call: build });
  const write = (build: Parameters<typeof resourceRoute>[1]['call']) => resourceRoute(d, { policy: WRITERS, call: build });
  const remove = (what: string, build: Parameters<typeof resourceRoute>[1]['call']) => resourceRoute(d, { policy: WRITERS, call: build, deleted: what });

  r.post(`${HOST}/flavors`, write((q) => call('createFlavor', flavorBody(q.body))));
  r.get(`${HOST}/flavors`, read(() => call('queryFlavor', { flavorId: '' })));
  r.get(`${HOST}/flavors/:flavorId`, read((q) => call('queryFlavor', { flavorId: pathId(q, 'flavorId', 'flavor', true) })));
  r.delete(`${HOST}/flavors/:flavorId`, remove('flavor', (q) => call('deleteFlavor', { flavorId: pathId(q, 'flavorId', 'flavor', true) })));

  r.post(`${HOST}/networks`, write((q) => call('createNetwork', networkBody(q.body))));
  r.get(`${HOST}/networks`, read(() => call('queryNetwork', { networkId: '' })));
  r.get(`${HOST}/networks/:networkId`, read((q) => call('queryNetwork', { networkId: pathId(q, 'networkId', 'network') })));
  r.delete(`${HOST}/networks/:networkId`, remove('network', (q) => call('deleteNetwork', { networkId: pathId(q, 'networkId', 'network') })));

  const group = `${HOST}/securityGroups/:securityGroupId`;
  r.post(`${HOST}/securityGroups`, write((q) => call('createSecurityGroup', securityGroupBody(q.body))));
  r.get(`${HOST}/securityGroups`, read(() => call('querySecurityGroup', { securityGroupId: '' })));
  r.get(group, read((q) => call('querySecurityGroup', { securityGroupId: pathId(q, 'securityGroupId', 'security group') })));
  r.delete(group, remove('security group', (q) => call('deleteSecurityGroup', { securityGroupId: pathId(q, 'securityGroupId', 'security group') })));
  r.post(`${group}/securityGroupRules`, write((q) => call('createSecurityGroupRule', ruleBody(q.body, pathId(q, 'securityGroupId', 'security group')))));
  r.get(`${group}/securityGroupRules`, read((q) => call('querySecurityGroupRule', { securityGroupId: pathId(q, 'securityGroupId', 'security group') })));
  r.delete(
    `${group}/securityGroupRules/:securityGroupRuleId`,
    remove('security group rule', (q) => {
      pathId(q, 'securityGroupId', 'security group');
      return call('deleteSecurityGroupRule', { securityGroupRuleId: pathId(q, 'securityGroupRuleId', 'security group rule') });
    }),
  );

  r.post(`${HOST}/images`, write((q) => call('createVmImage', imageBody(q.body))));
  r.get(`${HOST}/images`, read(() => call('queryVmImage', { imageId: '' })));
  r.get(`${HOST}/images/:imageId`, read((q) => call('queryVmImage', { imageId: pathId(q, 'imageId', 'image') })));
  r.post(`${HOST}/images/:imageId`, write((q) => call('importVmImage', importBody(q.body, pathId(q, 'imageId', 'image')))));
  r.delete(`${HOST}/images/:imageId`, remove('image', (q) => call('deleteVmImage', { imageId: pathId(q, 'imageId', 'image') })));

  r.post(`${HOST}/servers`, write((q) => call('createVm', serverBody(q.body))));
  r.get(`${HOST}/servers`, read(() => call('queryVm', { vmId: '' })));
  r.get(`${HOST}/servers/:serverId`, read((q) => call('queryVm', { vmId: pathId(q, 'serverId', 'server') })));
  r.post(`${HOST}/servers/:serverId`, write((q) => call('operateVm', operateBody(q.body, pathId(q, 'serverId', 'server')))));
  r.delete(`${HOST}/servers/:serverId`, remove('server', (q) => call('deleteVm', { vmId: pathId(q, 'serverId', 'server') })));
  return r;
}
