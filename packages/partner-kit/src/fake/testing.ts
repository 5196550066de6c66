import { createDevPartnerEnv, type ResolvedPartner, resolvePartnerConfig } from '../config.js';
import type { PartnerDeclaration } from '../define-partner.js';
import type { FakeClock, FakeHandle } from './types.js';

/** A clock tests set (`clock.at = ...`) or move forward; the fake's windows and token expiry read it. */
export interface MovableClock extends FakeClock {
  at: Date;
  advance(seconds: number): void;
}

export function movableClock(start: string | Date): MovableClock {
  return {
    at: new Date(start),
    now() {
      return this.at;
    },
    advance(seconds) {
      this.at = new Date(this.at.getTime() + seconds * 1000);
    },
  };
}

/** The declaration resolved against a running fake (every URL on the fake, its client credentials). */
export function resolveAgainstFake(declaration: PartnerDeclaration, fake: FakeHandle): ResolvedPartner {
  return resolvePartnerConfig(
    declaration,
    createDevPartnerEnv(declaration, fake.url, { clientId: fake.clientId, clientSecret: fake.clientSecret }),
  );
}

/** A response's JSON object body (throws when the body is not an object). */
export async function jsonObject(res: Response): Promise<Record<string, unknown>> {
  const body: unknown = await res.json();
  if (typeof body !== 'object' || body === null) throw new Error('not a JSON object');
  return body as Record<string, unknown>;
}
