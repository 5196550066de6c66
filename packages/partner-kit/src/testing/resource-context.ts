import type { PartnerHttp, PartnerRequest, PartnerResponse, ResourceContext } from '../define-partner.js';

/**
 * A resource context whose partner, at the HTTP boundary, answers each request with `answer`
 * (status 200, no headers and an empty object body unless the answer says otherwise; `answer`
 * throws for what the partner does not know), remembering every request in `seen`.
 */
export function recordingContext(
  answer: (req: PartnerRequest) => Partial<PartnerResponse>,
  /** The client's display name of the partner (`http.partner`), when the test reads it. */
  partner?: string,
) {
  const seen: PartnerRequest[] = [];
  const http: PartnerHttp = {
    ...(partner !== undefined && { partner }),
    async request(req) {
      seen.push(req);
      const res = { status: 200, headers: {}, body: {}, ...answer(req) };
      return { ...res, text: JSON.stringify(res.body) };
    },
  };
  const ctx: ResourceContext = {
    http,
    externalUserId: 'u1',
    generation: 'oauth2',
    now: new Date('2024-03-10T00:00:00Z'),
  };
  return { ctx, seen };
}
