import { z } from 'zod';

/** The kinds of app data Healthsync moves (DESIGN.md §7). */
export const DATA_KINDS = ['exercise', 'food', 'measurement'] as const;
export const DataKind = z.enum(DATA_KINDS);
export type DataKind = z.infer<typeof DataKind>;

/** Partner ids are lower-case slugs; the installed set is configuration, not a closed enum. */
export const PartnerId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,31}$/, 'partner id must be a lower-case slug (a-z, 0-9, -)');
export type PartnerId = z.infer<typeof PartnerId>;

export const UserId = z.string().min(1).max(128);

export const DataTypes = z.object({
  poll: z.array(DataKind),
  push: z.array(DataKind),
});
export type DataTypes = z.infer<typeof DataTypes>;

/** Every message on the bus is an envelope around a typed payload (DESIGN.md §3). */
export const EnvelopeBase = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  payload: z.unknown(),
});
export type EnvelopeBase = z.infer<typeof EnvelopeBase>;

export interface Envelope<TType extends string = string, TPayload = unknown> {
  id: string;
  type: TType;
  version: number;
  occurredAt: string;
  source: string;
  correlationId: string;
  causationId: string | null;
  payload: TPayload;
}
