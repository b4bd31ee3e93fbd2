// The one typed config object, built from options and the environment; nothing else reads process.env.
import { z } from 'zod';
import { RuntimeError } from './errors.js';

export const RuntimeConfigSchema = z.object({
  /** NATS server URL(s), comma-separated. Absent: start the embedded server. */
  natsUrl: z.string().min(1).optional(),
  natsUser: z.string().optional(),
  natsPassword: z.string().optional(),
  natsToken: z.string().optional(),
  /** Path to a NATS credentials (.creds) file. */
  natsCredsFile: z.string().optional(),
  /** The query responder's identity (see generateAuthConfig): query services connect with it when given. */
  natsResponderUser: z.string().optional(),
  natsResponderPassword: z.string().optional(),
  /** Stream replicas: 1 on a single server, 3 on a cluster. */
  replicas: z.number().int().min(1).max(5).default(1),
  /** Root data directory for the CLI and apps. */
  dataDir: z.string().min(1).default('./data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Explicit nats-server binary for the embedded default. */
  natsServerBin: z.string().optional(),
  /**
   * The CLI stops (as on SIGTERM) when its parent process goes away. On under `npx` / `npm exec` (env
   * `npm_command=exec`), whose `sh -c` between npm and the command does not pass npm's SIGTERM on; or with
   * `HVS_NVM_EXIT_WITH_PARENT=1` for other launchers.
   */
  exitWithParent: z.boolean().default(false),
});

export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;
export type RuntimeConfigInput = z.input<typeof RuntimeConfigSchema>;

export class ConfigError extends RuntimeError {
  constructor(message: string) {
    super('INVALID_CONFIG', message, 400);
  }
}

type Env = Record<string, string | undefined>;

function fromEnv(env: Env): RuntimeConfigInput {
  const out: Record<string, unknown> = {};
  const set = (key: keyof RuntimeConfigInput, value: unknown) => {
    if (value !== undefined && value !== '') out[key] = value;
  };
  set('natsUrl', env['NATS_URL']);
  set('natsUser', env['NATS_USER']);
  set('natsPassword', env['NATS_PASSWORD']);
  set('natsToken', env['NATS_TOKEN']);
  set('natsCredsFile', env['NATS_CREDS']);
  set('natsResponderUser', env['NATS_RESPONDER_USER']);
  set('natsResponderPassword', env['NATS_RESPONDER_PASSWORD']);
  set('replicas', env['HVS_NVM_REPLICAS'] ? Number(env['HVS_NVM_REPLICAS']) : undefined);
  set('dataDir', env['HVS_NVM_DATA_DIR']);
  set('logLevel', env['HVS_NVM_LOG_LEVEL'] ?? env['LOG_LEVEL']);
  set('natsServerBin', env['NATS_SERVER_BIN']);
  const exitWithParent = env['HVS_NVM_EXIT_WITH_PARENT'];
  set('exitWithParent', exitWithParent ? exitWithParent !== '0' && exitWithParent !== 'false' : env['npm_command'] === 'exec' || undefined);
  return out as RuntimeConfigInput;
}

/** Options win over the environment; `undefined` options fall through to it. */
export function loadConfig(options: Partial<RuntimeConfigInput> = {}, env: Env = process.env): RuntimeConfig {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const parsed = RuntimeConfigSchema.safeParse({ ...fromEnv(env), ...given });
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
