import { resolve, type VmTemplate, type VmVdu } from './vm-template.js';

/** Nova refuses user data over 65535 bytes (after base64). */
export const MAX_USER_DATA_BYTES = 65_535;

/** A value as one single-quoted shell word: nothing in it is expanded or run. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface UserDataInput {
  params: Record<string, string>;
  appInstanceId: string;
  ak?: string;
  sk?: string;
}

/**
 * The VDU's boot script as Heat's str_replace made it for the original osplugin (`$name$` replaced by the resolved
 * `user_data.params`, unresolved ones by nothing), with the instance id and the AK/SK appended for the mep-agent
 * (`/root/init.txt`, as the original wrote them) — quoted, so a key can never run as a command. Contents that are
 * not a shell script (cloud-config) are left as they are. Answers base64, or undefined when there is nothing to send.
 */
export function userData(vdu: VmVdu, t: Pick<VmTemplate, 'inputDefaults' | 'inputs'>, input: UserDataInput): string | undefined {
  let script = vdu.userData?.contents;
  if (script !== undefined) {
    for (const [name, ref] of Object.entries(vdu.userData!.params)) script = script.split(`$${name}$`).join(resolve(ref, input.params, t) ?? '');
  }
  const shell = script === undefined || script.startsWith('#!');
  if (shell) {
    const lines = [`app_instance_id=${input.appInstanceId}`, ...(input.ak !== undefined ? [`ak=${input.ak}`] : []), ...(input.sk !== undefined ? [`sk=${input.sk}`] : [])];
    const tail = `\n# added by applcm: the instance's identity for the mep-agent\nprintf '%s\\n' ${lines.map(shellQuote).join(' ')} >> /root/init.txt\n`;
    script = `${script ?? '#!/bin/sh\n'}${script?.endsWith('\n') === false ? '\n' : ''}${tail}`;
  }
  if (script === undefined) return undefined;
  const encoded = Buffer.from(script, 'utf8').toString('base64');
  if (encoded.length > MAX_USER_DATA_BYTES) throw new Error(`the user data of VDU ${vdu.id} is ${encoded.length} bytes in base64, over Nova's ${MAX_USER_DATA_BYTES}`);
  return encoded;
}
