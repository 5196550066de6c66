import type { z } from 'zod';
import { type Container, type ContainerOf, containerSchemas } from './containers.js';
import type { PolledItem, PollResult, Rejected } from './define-partner.js';
import { PartnerError } from './errors.js';
import { zodReason } from './read.js';
import type { LocalTime } from './units.js';

/**
 * Validation of mapped partner data against the app's strict containers, with reasons an
 * operator can read ("food has no calories", "measurement: weight 900 kg is outside 1..650").
 */

export type ContainerKind = Container['kind'];

export type ValidationResult<K extends ContainerKind> =
  | { ok: true; data: ContainerOf<K> }
  | { ok: false; reason: string };

/** The date field of each kind's items (`dateFields`). */
export const DATE_FIELD: Record<ContainerKind, string> = {
  measurement: 'measuredAt',
  exercise: 'startedAt',
  food: 'consumedAt',
};

/**
 * A mapped item's date fields from a local time: `startedAt` / `measuredAt` / `consumedAt` (by
 * kind) and `utcOffsetMinutes`.
 */
export function dateFields(kind: ContainerKind, at: LocalTime): Record<string, string | number> {
  return { [DATE_FIELD[kind]]: at.iso, utcOffsetMinutes: at.utcOffsetMinutes };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One zod issue in words. */
function describeIssue(
  kind: ContainerKind,
  issue: z.core.$ZodIssue,
  candidate: Record<string, unknown>,
): string {
  const field = issue.path.map(String).join('.');
  const missing = issue.code === 'invalid_type' && issue.path.length === 1 && candidate[field] === undefined;
  if (missing) {
    if (field === DATE_FIELD[kind] || field === 'utcOffsetMinutes') return `${kind} has no date (${field})`;
    if (kind === 'food' && field === 'calories') return 'food has no calories';
    if (kind === 'exercise' && field === 'durationSeconds') return 'exercise has no duration';
    return `${kind} has no ${field}`;
  }
  if (issue.code === 'unrecognized_keys') return `${kind} has unknown fields: ${issue.keys.join(', ')}`;
  if ((field === DATE_FIELD[kind] && issue.code === 'invalid_format') || field === DATE_FIELD[kind])
    return `${kind} ${field} is not an ISO date-time with offset: ${JSON.stringify(candidate[field])}`;
  if (issue.code === 'too_big' || issue.code === 'too_small')
    return `${kind} ${field} ${JSON.stringify(candidate[field])} is impossible (${issue.message})`;
  // A container's own rule names the kind itself ('exercise needs calories, ...').
  if (issue.code === 'custom')
    return issue.message.startsWith(`${kind} `) ? issue.message : `${kind}: ${issue.message}`;
  return `${kind} ${field || 'value'}: ${issue.message}`;
}

/** Validate a mapped candidate as a container of `kind`. */
export function validateContainer<K extends ContainerKind>(kind: K, candidate: unknown): ValidationResult<K> {
  if (!isRecord(candidate)) return { ok: false, reason: `${kind} is not an object` };
  if (candidate.kind !== undefined && candidate.kind !== kind)
    return { ok: false, reason: `expected a ${kind}, got a ${String(candidate.kind)}` };
  const schema = containerSchemas[kind];
  const parsed = schema.safeParse({ ...candidate, kind });
  if (parsed.success) return { ok: true, data: parsed.data as ContainerOf<K> };
  const reasons = [...new Set(parsed.error.issues.map((i) => describeIssue(kind, i, candidate)))];
  return { ok: false, reason: reasons.join('; ') };
}

/** What a mapper returns for one raw partner item. */
export type Mapped =
  | { readonly externalId: string; readonly externalVersion?: string; readonly candidate: unknown }
  | { readonly externalId?: string; readonly reject: string };

export interface PollPageOptions {
  nextCursor?: string;
  more?: boolean;
  deletedExternalIds?: readonly string[];
}

/**
 * Map and validate one page of raw partner items: every raw item becomes a validated item or a
 * rejection with its reason and the raw payload; a mapper that throws rejects only its item.
 */
export function pollPage<K extends ContainerKind>(
  kind: K,
  raws: readonly unknown[],
  map: (raw: unknown) => Mapped | null,
  options: PollPageOptions = {},
): PollResult<ContainerOf<K>> {
  const items: PolledItem<ContainerOf<K>>[] = [];
  const rejected: Rejected[] = [];
  for (const raw of raws) {
    let mapped: Mapped | null;
    try {
      mapped = map(raw);
    } catch (e) {
      const reason = e instanceof PartnerError || e instanceof Error ? e.message : 'mapping failed';
      rejected.push({ reason, raw });
      continue;
    }
    if (mapped === null) continue;
    if ('reject' in mapped) {
      rejected.push({
        ...(mapped.externalId !== undefined ? { externalId: mapped.externalId } : {}),
        reason: mapped.reject,
        raw,
      });
      continue;
    }
    const v = validateContainer(kind, mapped.candidate);
    if (v.ok)
      items.push({
        externalId: mapped.externalId,
        ...(mapped.externalVersion !== undefined ? { externalVersion: mapped.externalVersion } : {}),
        data: v.data,
      });
    else rejected.push({ externalId: mapped.externalId, reason: v.reason, raw });
  }
  return {
    items,
    rejected,
    more: options.more ?? false,
    ...(options.nextCursor !== undefined ? { nextCursor: options.nextCursor } : {}),
    ...(options.deletedExternalIds ? { deletedExternalIds: options.deletedExternalIds } : {}),
  };
}

/** An app item about to be sent to a partner, re-checked so nothing malformed leaves (invalid_data otherwise). */
export function sendable<K extends ContainerKind>(kind: K, item: unknown, partner: string): ContainerOf<K> {
  const checked = validateContainer(kind, item);
  if (!checked.ok) throw new PartnerError('invalid_data', `not sendable to ${partner}: ${checked.reason}`);
  return checked.data;
}

/**
 * A mapper over the partner's tolerant schema: the raw item is parsed first and a mismatch is
 * rejected as `<label>: <field>: <problem>`; `map` sees only parsed data (and any extra arguments).
 */
export function schemaMapper<S extends z.ZodType, A extends unknown[], R extends Mapped | null>(
  schema: S,
  label: string,
  map: (data: z.output<S>, ...args: A) => R,
): (raw: unknown, ...args: A) => R | { readonly reject: string } {
  return (raw, ...args) => {
    const parsed = schema.safeParse(raw);
    return parsed.success ? map(parsed.data, ...args) : { reject: `${label}: ${zodReason(parsed.error)}` };
  };
}
