import winston from 'winston';

/**
 * JSON logs, one object per line, with constant keys (controller, namespace, name, run, reconcileID)
 * so log queries can filter by object; messages in the Kubernetes style ("Created Pod").
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): winston.Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}
