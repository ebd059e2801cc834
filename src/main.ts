#!/usr/bin/env node
// reflect-metadata must load before any decorated class (entities, resolvers).
import 'reflect-metadata';
import { buildCli } from './cli.js';
import { ConfigError } from './config.js';

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
});

buildCli()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.stderr.write(`applcm: ${e instanceof ConfigError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
