// What the Api's area files share: the parsed type of a schema, and validation of what callers other than the HTTP
// router (the CLI, MCP) hand in.
import type { z } from 'zod';
import { validationError } from './problem.js';

export type In<T extends z.ZodType> = z.output<T>;

/** Validates what callers other than the HTTP router (the CLI) hand in, with the same schema as the HTTP body. */
export function valid<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error, where);
  return r.data;
}
