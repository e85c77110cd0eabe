import { z } from 'zod';
import { InputError } from '../../errors.ts';

/** Parses request input with a zod schema; problems become INVALID_INPUT naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
    throw new InputError(`Invalid request: ${problems.join('; ')}`);
  }
  return result.data;
}

/** `?collection=a&collection=b` or `?collection=a,b`. */
export const collectionsParam = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)));

export const intParam = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
