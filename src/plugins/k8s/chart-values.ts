import { loadYaml, isMapping } from '../../packages/safe-yaml.js';

/** Helm release names are DNS-1123 labels of at most 53 characters. */
export const MAX_RELEASE_NAME = 53;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const isDns1123Label = (s: string, max = 63): boolean => s.length <= max && DNS_1123_LABEL.test(s);

/**
 * The release of an instance: derived from its id alone, so one chart can run many times on one host and a retry
 * (or the call after a crash) finds its own release without any other state.
 */
export function releaseName(appInstanceId: string): string {
  const name = `app-${appInstanceId.toLowerCase()}`;
  if (!isDns1123Label(name, MAX_RELEASE_NAME)) throw new Error(`cannot derive a release name from ${JSON.stringify(appInstanceId)}`);
  return name;
}

/** The namespace the chart's own values name (`appconfig.appnamespace`), if it is a usable one. */
export function chartNamespace(valuesYaml: string | undefined): string | undefined {
  if (!valuesYaml) return undefined;
  let values: unknown;
  try {
    values = loadYaml(valuesYaml, 'values.yaml');
  } catch {
    return undefined;
  }
  const appconfig = isMapping(values) ? values['appconfig'] : undefined;
  const ns = isMapping(appconfig) ? appconfig['appnamespace'] : undefined;
  return typeof ns === 'string' && isDns1123Label(ns) ? ns : undefined;
}

export interface ValuesInput {
  appInstanceId: string;
  namespace: string;
  accessKey?: string;
  secretKey?: string;
}

/**
 * The values override file for an EdgeGallery chart: the mep-agent secret's name and content
 * (`appconfig.aksk.{secretname,accesskey,secretkey,appInsId}`) and the namespace the templates put their objects in
 * (`appconfig.appnamespace`), as the original plugin wrote them into the chart's values.yaml. Values are data in a
 * YAML file, never `--set` text, so nothing in them is parsed as Helm syntax.
 */
export function valuesOverride(v: ValuesInput): string {
  // JSON is YAML with every string quoted: "1.10", "yes" or "~" stay strings.
  return JSON.stringify(
    {
      appconfig: {
        appnamespace: v.namespace,
        aksk: {
          // Derived, not random (the original drew 10 letters): a retry renders the same secret.
          secretname: `aksk-${v.appInstanceId.toLowerCase()}`,
          accesskey: v.accessKey ?? '',
          secretkey: v.secretKey ?? '',
          appInsId: v.appInstanceId.toLowerCase(),
        },
      },
    },
    null,
    2,
  );
}
