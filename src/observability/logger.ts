import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line: tokens, passwords, VIM credentials, AK/SK. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.access_token',
  'req.headers.cookie',
  'req.headers.key',
  'req.headers.newkey',
  'headers.authorization',
  'headers.access_token',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.authorization',
  '*.kubeconfig',
  '*.configFile',
  '*.secrets',
  '*.ak',
  '*.sk',
  'connectionParams',
  '*.connectionParams',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'applcm' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
