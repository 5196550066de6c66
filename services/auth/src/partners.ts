import type { DataKind, DataTypes } from '@healthsync/contracts';
import {
  type PartnerDeclaration,
  type ResolvedPartner,
  resolvePartnerConfigs,
} from '@healthsync/partner-kit';

/** One installed partner as the auth service sees it: its declaration resolved against the env. */
export interface InstalledPartner {
  readonly id: string;
  readonly declaration: PartnerDeclaration;
  readonly resolved: ResolvedPartner;
  /** Kinds the partner can be polled for / pushed to (its capabilities). */
  readonly capabilities: DataTypes;
}

export interface InstalledPartners {
  get(id: string): InstalledPartner | undefined;
  list(): readonly InstalledPartner[];
}

/**
 * The installed partners, configured from `PARTNER_<ID>_*` variables (partner-kit convention).
 * Every misconfigured partner is reported in one error.
 */
export function installPartners(
  declarations: readonly PartnerDeclaration[],
  env: Readonly<Record<string, string | undefined>>,
): InstalledPartners {
  const resolved = resolvePartnerConfigs(declarations, env);
  const byId = new Map<string, InstalledPartner>();
  for (const declaration of declarations) {
    const poll: DataKind[] = [];
    const push: DataKind[] = [];
    for (const [kind, cap] of Object.entries(declaration.capabilities) as [
      DataKind,
      { poll: boolean; push: boolean },
    ][]) {
      if (cap.poll) poll.push(kind);
      if (cap.push) push.push(kind);
    }
    byId.set(declaration.id, {
      id: declaration.id,
      declaration,
      resolved: resolved[declaration.id] as ResolvedPartner,
      capabilities: { poll, push },
    });
  }
  const list = [...byId.values()];
  return { get: (id) => byId.get(id), list: () => list };
}

/** The data types a connection starts with when the caller names none: everything it can do. */
export function defaultDataTypes(partner: InstalledPartner): DataTypes {
  return { poll: [...partner.capabilities.poll], push: [...partner.capabilities.push] };
}

/** Kinds asked for that the partner cannot serve (empty when the request is fine). */
export function unsupportedDataTypes(partner: InstalledPartner, wanted: DataTypes): string[] {
  const bad: string[] = [];
  for (const k of wanted.poll) if (!partner.capabilities.poll.includes(k)) bad.push(`poll ${k}`);
  for (const k of wanted.push) if (!partner.capabilities.push.includes(k)) bad.push(`push ${k}`);
  return bad;
}

/** Sorted and de-duplicated, so equal preferences compare equal. */
export function normalizeDataTypes(d: DataTypes): DataTypes {
  return { poll: [...new Set(d.poll)].sort(), push: [...new Set(d.push)].sort() };
}
