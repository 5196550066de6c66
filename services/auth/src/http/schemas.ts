import { DataKind } from '@healthsync/contracts';
import { MEASUREMENT_TYPES } from '@healthsync/partner-kit/declaration';
import { z } from 'zod';

export const DataTypesBody = z
  .strictObject({
    poll: z.array(DataKind).max(10),
    push: z.array(DataKind).max(10),
  })
  .meta({ description: 'Kinds to poll from and push to the partner.' });

export const DataTypesView = z.object({ poll: z.array(DataKind), push: z.array(DataKind) });

const Iso = z.iso.datetime({ offset: true });

export const ConnectionView = z.object({
  partner: z.string(),
  status: z.enum(['connected', 'needs_reauth', 'disconnected']),
  generation: z
    .string()
    .meta({ description: 'Auth generation of the credentials (`oauth2`, legacy `oauth1`).' }),
  externalUserId: z
    .string()
    .nullable()
    .meta({ description: "The partner's id for the account, when it names one." }),
  dataTypes: DataTypesView,
  connectedAt: Iso,
  disconnectedAt: Iso.nullable(),
  updatedAt: Iso,
  lastError: z.object({ code: z.string(), message: z.string(), at: Iso }).nullable(),
});

export const PartnerView = z.object({
  id: z.string(),
  displayName: z.string(),
  auth: z.object({
    current: z.string(),
    generations: z.array(
      z.object({ name: z.string(), kind: z.enum(['oauth2', 'oauth1']), pkce: z.boolean() }),
    ),
  }),
  dataTypes: DataTypesView,
  measurementTypes: z.array(z.enum(MEASUREMENT_TYPES)).meta({
    description:
      'The measurement types synced with the partner (the others are neither read nor sent); empty when it takes no measurements.',
  }),
  webhooks: z.boolean(),
});

export const CredentialsView = z.object({
  accessToken: z.string(),
  tokenSecret: z.string().optional().meta({ description: 'OAuth 1.0a token secret.' }),
  expiresAt: Iso.nullable(),
  generation: z.string(),
  externalUserId: z.string().nullable(),
});
