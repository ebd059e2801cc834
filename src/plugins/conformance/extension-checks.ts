import { HealthResponse_Status, type CapabilitiesResponse, type HealthResponse } from '../../generated/proto/applcm_plugin.js';
import { AppLCMService } from '../../generated/proto/lcmservice.js';
import type { CheckContext, ConformanceCheck } from './check-context.js';
import { expectOk, unary } from './grpc-calls.js';

export const health = (ctx: CheckContext): Promise<HealthResponse> => unary(ctx.deadlineMs, (md, o, cb) => ctx.ext.health({}, md, o, cb));
export const capabilities = (ctx: CheckContext): Promise<CapabilitiesResponse> => unary(ctx.deadlineMs, (md, o, cb) => ctx.ext.capabilities({}, md, o, cb));

export const extensionChecks: ConformanceCheck[] = [
  {
    name: 'extensions: health answers SERVING',
    async run(ctx) {
      const h = await expectOk(health(ctx), 'health');
      if (h.status !== HealthResponse_Status.SERVING) throw new Error(`health: ${HealthResponse_Status[h.status]} (${h.message}), expected SERVING`);
    },
  },
  {
    name: 'extensions: capabilities name protocol 1.0, VIM types and the AppLCM operations',
    async run(ctx) {
      const c = await expectOk(capabilities(ctx), 'capabilities');
      if (c.protocolVersion !== '1.0') throw new Error(`capabilities: protocolVersion ${JSON.stringify(c.protocolVersion)}, expected "1.0"`);
      if (c.vimTypes.length === 0) throw new Error('capabilities: no vimTypes');
      const missing = Object.values(AppLCMService)
        .map((m) => m.path)
        .filter((p) => !c.operations.includes(p));
      if (missing.length) throw new Error(`capabilities: operations lack ${missing.join(', ')}`);
      if (!c.pluginName) throw new Error('capabilities: pluginName is empty');
    },
  },
];
