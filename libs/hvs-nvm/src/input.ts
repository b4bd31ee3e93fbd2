// Validation at the patterns' edge: caller input becomes typed values, or an NVM InvalidArgumentError before any write.
import { z } from 'zod';
import { describeValue } from '@hvs-nvm/events';
import { InvalidArgumentError } from '@hvs-nvm/nvm';

/** Text that means something: a string with a non-blank character (an encoder would embed '' as noise). */
export const NonBlankText = z.string().refine((s) => s.trim().length > 0, 'must not be empty or blank');

/** `schema.parse(value)`, refusing with InvalidArgumentError (status 400) that names `what` and the value. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidArgumentError(`${what}: ${z.prettifyError(parsed.error)} (got ${describeValue(value, 60)})`);
}

/** A call's options: omitted or null mean none; otherwise validated by `schema`. */
export function parseOptions<T extends z.ZodType>(schema: T, value: unknown, call: string): z.output<T> {
  return parseInput(schema, value ?? {}, `${call} options`);
}
