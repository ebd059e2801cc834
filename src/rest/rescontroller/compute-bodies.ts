import { badInput } from '../../errors.js';
import { CreateFlavorRequest_Flavor, CreateVmRequest_Server, CreateVmRequest_Server_Network, OperateVmRequest_CreateImage, OperateVmRequest_Reboot } from '../../generated/proto/resourcemanager.js';
import type { ResourceRequests } from '../../plugins/plugin-client.js';
import { count, flag, list, object, objectBody, required, script, shortName, text, textList, textMap, type Json } from './body-fields.js';

/** POST …/flavors: `{"name","vcpus","ram","disk","swap","extraSpecs":{k:v}}`; the name as the original checks it. */
export function flavorBody(body: unknown): ResourceRequests['createFlavor'] {
  const o = objectBody(body);
  return {
    flavor: CreateFlavorRequest_Flavor.fromPartial({
      name: shortName(o, 'name', 'name', 'Name is invalid'),
      vcpus: count(o, 'vcpus', 'vcpus'),
      ram: count(o, 'ram', 'ram'),
      disk: count(o, 'disk', 'disk'),
      swap: count(o, 'swap', 'swap'),
      extraSpecs: textMap(o, 'extraSpecs'),
    }),
  };
}

/**
 * POST …/servers. The original's `user_data` and `netWorks[].network`, and appo's `userData` and
 * `netWorks[].networkInfo` (which the original dropped, §9 row 19); `imageRef` is accepted and unused, as there.
 */
export function serverBody(body: unknown): ResourceRequests['createVm'] {
  const o = objectBody(body);
  const networks = list(o, 'netWorks', 'netWorks').map((n, i) => {
    const field = `netWorks[${i}]`;
    if (typeof n !== 'object' || n === null || Array.isArray(n)) throw badInput(field, `${field} must be an object`);
    const net = n as Json;
    return CreateVmRequest_Server_Network.fromPartial({ network: required(text(net, ['network', 'networkInfo'], `${field}.network`), `${field}.network`), fixedIp: text(net, 'fixedIp', `${field}.fixedIp`, 64) });
  });
  text(o, 'imageRef', 'imageRef');
  return {
    server: CreateVmRequest_Server.fromPartial({
      name: required(text(o, 'name', 'name'), 'name'),
      flavor: required(text(o, 'flavor', 'flavor'), 'flavor'),
      image: required(text(o, 'image', 'image'), 'image'),
      availabilityZone: text(o, 'availabilityZone', 'availabilityZone'),
      // Nova takes at most 64 KiB of user data; the route's body cap keeps it far below.
      userData: script(o, ['user_data', 'userData'], 'userData', 65535),
      configDrive: flag(o, 'configDrive'),
      securityGroups: textList(o, 'securityGroups'),
      networks,
    }),
  };
}

/** The actions the image service knows (anything else would be answered retCode 400 by the plugin). */
export const SERVER_ACTIONS = ['reboot', 'createImage', 'pause', 'unpause', 'suspend', 'resume', 'stop', 'start', 'createConsole'] as const;

/**
 * POST …/servers/{serverId}: `{"action","reboot","createImage":{"name","metadata"}}`. `reboot` is `"HARD"`/`"SOFT"`
 * or `{"type": …}` (both spellings are in use); the snapshot name as the original checks it.
 */
export function operateBody(body: unknown, vmId: string): ResourceRequests['operateVm'] {
  const o = objectBody(body);
  const action = text(o, 'action', 'action', 32);
  if (!(SERVER_ACTIONS as readonly string[]).includes(action)) throw badInput('action', `action must be one of ${SERVER_ACTIONS.join(', ')}`);
  const r = o.reboot;
  const rebootType = typeof r === 'string' ? r : typeof r === 'object' && r !== null && !Array.isArray(r) ? (r as Json).type : undefined;
  if (rebootType !== undefined && rebootType !== null && rebootType !== '' && rebootType !== 'HARD' && rebootType !== 'SOFT') throw badInput('reboot', 'reboot must be HARD or SOFT');
  const image = object(o, 'createImage');
  if (action === 'createImage' && !image) throw badInput('createImage', 'Operator server create image name is invalid');
  return {
    vmId,
    action,
    reboot: typeof rebootType === 'string' && rebootType !== '' ? OperateVmRequest_Reboot.fromPartial({ type: rebootType }) : undefined,
    createImage: image ? OperateVmRequest_CreateImage.fromPartial({ name: shortName(image, 'name', 'createImage.name', 'Operator server create image name is invalid'), metadata: textMap(image, 'metadata', 'createImage.metadata') }) : undefined,
  };
}
