import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdSchema, isId } from './id';

describe('ids', () => {
  it('accepts the UUIDs we issue, in either case, and nothing PostgreSQL would refuse', () => {
    const id = randomUUID();
    expect(isId(id)).toBe(true);
    expect(isId(id.toUpperCase())).toBe(true);
    expect(IdSchema.safeParse(id).success).toBe(true);
    // 36 characters of hex and dashes are not enough (a `uuid` column rejects this one).
    for (const bad of ['-'.repeat(36), `${id}x`, id.replace(/-/g, ''), '', 'lru-cache']) expect(isId(bad)).toBe(false);
  });
});
