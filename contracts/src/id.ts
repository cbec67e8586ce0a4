import { z } from 'zod';

/** Every id Assay issues (submissions, API keys, webhook endpoints and deliveries) is a random UUID. */
export const IdSchema = z.uuid({ message: 'must be a UUID' });

/** The same check outside a schema: what fails it is no id of ours, and never reaches a `uuid` column. */
export function isId(s: string): boolean {
  return IdSchema.safeParse(s).success;
}
