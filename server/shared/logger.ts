import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Paths never written to logs: credentials, and record values (which may be personal data). */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  'uri',
];

export type LoggerConfig = { level: string };

export function createLogger(config: LoggerConfig, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = { level: config.level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
