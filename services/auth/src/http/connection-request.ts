import type { DataTypes } from '@healthsync/contracts';
import { HttpProblem, parseOr400, problems } from '@healthsync/platform';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AuthContext } from '../context.js';
import { type InstalledPartner, unsupportedDataTypes } from '../partners.js';
import { assertActsFor } from './caller.js';
import { PartnerParam, UserIdParam } from './route.js';

/** The path of a user's connection to one partner: `/v1/users/:userId/connections/:partner`. */
export const ConnectionParams = z.object({ userId: UserIdParam, partner: PartnerParam });

/** 415 unless the request says its body is JSON. */
export function requireJson(req: Request): void {
  if (!req.is('application/json'))
    throw new HttpProblem(415, 'unsupported_media_type', 'Unsupported media type', 'Send application/json');
}

/**
 * A JSON request on a user's connection to a partner, checked in this order: the path (400), the
 * caller acting for that user (403), a JSON body (415) that `Body` accepts (400), an installed partner (404).
 */
export function connectionRequest<B extends z.ZodType>(
  ctx: AuthContext,
  req: Request,
  res: Response,
  Body: B,
): { params: z.infer<typeof ConnectionParams>; body: z.infer<B>; partner: InstalledPartner } {
  const params = parseOr400(ConnectionParams, req.params, 'path');
  assertActsFor(res, params.userId);
  requireJson(req);
  const body = parseOr400(Body, req.body, 'body');
  const partner = ctx.partners.get(params.partner);
  if (!partner) throw problems.notFound(`Unknown partner ${params.partner}`);
  return { params, body, partner };
}

/** 400 `unsupported_data_type` when the partner cannot poll or push one of `dataTypes`. */
export function assertSupportedDataTypes(partner: InstalledPartner, dataTypes: DataTypes): void {
  const unsupported = unsupportedDataTypes(partner, dataTypes);
  if (unsupported.length > 0)
    throw new HttpProblem(
      400,
      'unsupported_data_type',
      'Unsupported data type',
      `${partner.id} cannot ${unsupported.join(', ')}`,
    );
}
