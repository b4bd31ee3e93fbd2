// Structured logging (pino, JSON lines on stderr), one child logger per component.
import { pino, type Logger } from 'pino';

export type { Logger };

let root: Logger | undefined;

export function rootLogger(level?: string): Logger {
  root ??= pino(
    { name: 'hvs-nvm', level: level ?? process.env['HVS_NVM_LOG_LEVEL'] ?? process.env['LOG_LEVEL'] ?? 'warn' },
    pino.destination(2),
  );
  if (level) root.level = level;
  return root;
}

export function createLogger(component: string): Logger {
  return rootLogger().child({ component });
}
