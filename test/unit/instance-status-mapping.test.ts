import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError, ErrorCode } from '../../src/errors.js';
import { InstanceStatus_State } from '../../src/generated/proto/applcm_plugin.js';
import { statusFromProto, statusFromQueryJson } from '../../src/services/instance-status.mapping.js';

const at = new Date('2026-03-01T10:00:00.000Z');
const hints = { appInstanceId: 'i-1', stopped: false };

describe('live status from the original query JSON', () => {
  it('reads the k8s plugin shape: pods, usage "used/allocatable" as quantities, services with string numbers', () => {
    const text = JSON.stringify({
      pods: [
        { podstatus: 'Running', podname: 'web-0', containers: [{ containername: 'web', metricsusage: { cpuusage: '250/16000', memusage: '67108864/68719476736', diskusage: '0/1' } }] },
        { podstatus: 'Running', podname: 'web-1', containers: [{ containername: '', metricsusage: { cpuusage: '', memusage: '', diskusage: '' } }] },
      ],
      services: [{ serviceName: 'web-svc', type: 'NodePort', ports: [{ port: '80', targetPort: '8080', nodePort: '32391', protocol: 'TCP', name: 'http' }] }],
      cpupercent: 0.1,
      mempercent: 0.2,
    });
    const s = statusFromQueryJson(text, hints, at);
    assert.deepEqual(s, {
      appInstanceId: 'i-1',
      state: 'RUNNING',
      reason: '',
      source: 'QUERY',
      observedAt: at,
      workloads: [
        { kind: 'Pod', name: 'web-0', phase: 'Running', ready: true, addresses: [], containers: [{ name: 'web', state: '', ready: true, restarts: 0, image: '', cpuUsage: '250m', memoryUsage: '64Mi' }] },
        { kind: 'Pod', name: 'web-1', phase: 'Running', ready: true, addresses: [], containers: [{ name: '', state: '', ready: true, restarts: 0, image: '', cpuUsage: '', memoryUsage: '' }] },
      ],
      services: [{ name: 'web-svc', type: 'NodePort', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: '8080', nodePort: 32391 }] }],
    });
  });

  it('derives the state from pod phases; no pods is STOPPED only for a stopped instance', () => {
    const state = (phases: string[], stopped = false) => statusFromQueryJson(JSON.stringify({ pods: phases.map((p, i) => ({ podstatus: p, podname: `p${i}`, containers: [] })), services: null }), { appInstanceId: 'i', stopped }).state;
    assert.equal(state(['Running', 'Succeeded']), 'RUNNING');
    assert.equal(state(['Running', 'Pending']), 'DEPLOYING');
    assert.equal(state(['Pending', 'Failed']), 'FAILED');
    assert.equal(state(['Running', 'Unknown']), 'DEGRADED');
    assert.equal(state([]), 'UNKNOWN');
    assert.equal(state([], true), 'STOPPED');
    // The original's empty answer, as its tests assert it.
    assert.equal(statusFromQueryJson('{"pods":null,"services":null,"cpupercent":0,"mempercent":0}', hints).state, 'UNKNOWN');
  });

  it('reads the OpenStack plugin shape: servers with their networks; 404 is ABSENT', () => {
    const s = statusFromQueryJson(JSON.stringify({ code: 200, msg: 'ok', status: 'Instantiated', data: [{ vmId: 'vm-1', networks: [{ name: 'mec_net', ip: '192.168.1.5' }] }] }), hints, at);
    assert.deepEqual([s.state, s.reason, s.workloads], ['RUNNING', '', [{ kind: 'Server', name: 'vm-1', phase: 'Instantiated', ready: true, containers: [], addresses: ['mec_net=192.168.1.5'] }]]);
    assert.equal(statusFromQueryJson('{"code":200,"msg":null,"status":"Instantiating"}', hints).state, 'DEPLOYING');
    assert.equal(statusFromQueryJson('{"code":404}', hints).state, 'ABSENT');
    assert.equal(statusFromQueryJson('Failure', hints).state, 'ABSENT', 'the k8s plugin answers the text Failure for an unknown instance');
  });

  it('refuses answers it cannot read with PLUGIN_ERROR', () => {
    for (const text of ['<html>', '[1,2]', '{"other":1}', '{"code":500,"msg":"server error"}']) {
      assert.throws(() => statusFromQueryJson(text, hints), (e: unknown) => e instanceof DomainError && e.code === ErrorCode.PLUGIN_ERROR, text);
    }
  });
});

describe('live status from the structured instanceStatus', () => {
  it('maps every field; an unspecified state is UNKNOWN and a missing observedAt is the time received', () => {
    const s = statusFromProto(
      {
        appInstanceId: 'i-2',
        state: InstanceStatus_State.DEGRADED,
        reason: 'restarting',
        workloads: [{ kind: 'Pod', name: 'a-0', phase: 'Running', ready: false, addresses: ['10.0.0.1'], containers: [{ name: 'c', state: 'waiting: CrashLoopBackOff', ready: false, restarts: 3, image: 'img', cpuUsage: '', memoryUsage: '' }] }],
        services: [{ name: 's', type: 'ClusterIP', ports: [{ name: 'p', protocol: 'TCP', port: 80, targetPort: '8080', nodePort: 0 }] }],
        observedAt: '2026-03-01T09:59:00Z',
      },
      at,
    );
    assert.equal(s.state, 'DEGRADED');
    assert.equal(s.source, 'EXTENSIONS');
    assert.deepEqual(s.observedAt, new Date('2026-03-01T09:59:00Z'));
    assert.equal(s.workloads[0]!.containers[0]!.restarts, 3);
    const bare = statusFromProto({ appInstanceId: 'i', state: InstanceStatus_State.STATE_UNSPECIFIED, reason: '', workloads: [], services: [], observedAt: '' }, at);
    assert.deepEqual([bare.state, bare.observedAt], ['UNKNOWN', at]);
  });
});
