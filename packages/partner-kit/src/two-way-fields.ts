import type { ContainerOf } from './containers.js';
import {
  type FieldEncoderSpec,
  type FieldMapSpec,
  type FieldSpec,
  fieldEncoder,
  fieldMapper,
  type OutFieldSpec,
  type OutTimeFormat,
  type TimeSpec,
} from './fields.js';
import type { KindMappers } from './kind-mappers.js';
import { type ContainerKind, DATE_FIELD } from './validate.js';

/** A partner field's names, the one written first. */
type Names = readonly [string, ...string[]];

/**
 * Where a field is on the partner's side: `field`, read from it and written under it (it may list
 * the partner's names for it, a field renamed in a newer API: `['sport_type', 'type']`: read from
 * the first present, written under the first), or `read` and `write` when the partner reads it
 * back under another name than it takes it (`{read: 'loggedFood.name', write: 'foodName'}`).
 */
type Place = { readonly field: string | Names } | { readonly read: string | Names; readonly write: string };

/**
 * A field that means the same both ways: the partner's field name (read from it, written under it)
 * for an app field of the same type, or its place (`Place`) with `unit?` (the partner's unit,
 * converted both ways) and `round?` (decimals the value read is rounded to, the app's value is
 * sent as it is), or with `table` (a two-way code table: `codeTable` / `codesByValue`).
 */
export type TwoWayField =
  | string
  | (Place & { readonly unit?: string; readonly round?: number })
  | (Place & {
      readonly table: {
        readonly toApp: (code: string | number | null | undefined) => string;
        readonly fromApp: (value: string) => string;
      };
    });

/** The app fields of a kind a two-way table may name. */
type AppField<K extends ContainerKind> = Exclude<keyof ContainerOf<K> & string, 'kind' | 'utcOffsetMinutes'>;

export interface TwoWayFieldsSpec<K extends ContainerKind, C> extends Omit<FieldMapSpec<C>, 'fields'> {
  /** App field -> the partner's field, read and written alike. */
  readonly fields?: Readonly<Partial<Record<AppField<K>, TwoWayField>>>;
  /** Container fields that are only read, or read otherwise (`fieldMapper` fields; they win). */
  readonly read?: FieldMapSpec<C>['fields'];
  /** Partner fields that are only written, or written otherwise (`fieldEncoder` fields; they win). */
  readonly write?: FieldEncoderSpec<ContainerOf<K>>['fields'];
  /** A reason not to send an item (the partner cannot hold it), or undefined. */
  readonly refuse?: (item: ContainerOf<K>) => string | undefined;
  /** The partner fields the date is written under, when not where `at` reads it: the local date
   * (one name) or the local date and time (two names). */
  readonly dateAs?: DateAs;
}

/** Partner fields taking an item's local date, or its local date and time. */
type DateAs = readonly [date: string] | readonly [date: string, time: string];

/** A field's partner names: read from (the first present), written under. */
const placed = (f: Place): { read: string | Names; write: string } =>
  'field' in f ? { read: f.field, write: typeof f.field === 'string' ? f.field : f.field[0] } : f;

/** The formats both `fieldMapper` reads and `fieldEncoder` writes. */
const WRITABLE: readonly string[] = ['epoch', 'local', 'rfc2822-local'] satisfies OutTimeFormat[];

/**
 * The `fieldEncoder` fields that write a kind's date back where `at` reads it, as the item's own
 * wall clock (its zone is only read): at its path for `epoch`, `local` and `rfc2822-local`, the
 * date and the time for `local` with `[date, time]` paths; none for a format that is only read.
 * `dateAs` names other fields for the local date (and time) instead.
 */
export function dateWrites<K extends ContainerKind>(
  kind: K,
  at: Pick<TimeSpec<unknown>, 'from' | 'format'>,
  dateAs?: DateAs,
): Record<string, OutFieldSpec<ContainerOf<K>>> {
  const date = DATE_FIELD[kind];
  if (dateAs) {
    const [day, time] = dateAs;
    return { [day]: { time: date, format: 'date' }, ...(time && { [time]: { time: date, format: 'time' } }) };
  }
  const { from, format } = at;
  if (WRITABLE.includes(format) && typeof from === 'string')
    return { [from]: { time: date, format: format as OutTimeFormat } };
  if (format === 'local' && typeof from !== 'string')
    return { [from[0]]: { time: date, format: 'date' }, [from[1]]: { time: date, format: 'time' } };
  return {};
}

/**
 * One field table used both ways: a kind's `fieldMapper` (partner item -> app item) and
 * `fieldEncoder` (app item -> partner body) from the correspondences they share, each declared
 * once, plus what only one direction has (`read`, `write`). The date (`at`) is written back at
 * its path, as the item's own wall clock (its zone is only read), when its format is `epoch`,
 * `local` (`[date, time]` paths: the date and the time) or `rfc2822-local`, or as the local date
 * (and time) under the fields `dateAs` names; a partner whose date is written otherwise names it in
 * `write`. Gives the kind's mappers (`KindMappers`).
 */
export function twoWayFields<K extends ContainerKind, C = undefined>(kind: K, spec: TwoWayFieldsSpec<K, C>) {
  const { fields = {}, read = {}, write = {}, refuse, dateAs, ...mapSpec } = spec;
  const toRead: Record<string, FieldSpec<C>> = {};
  const toWrite: Record<string, OutFieldSpec<ContainerOf<K>>> = dateWrites(kind, spec.at, dateAs);
  for (const [app, named] of Object.entries(fields) as [string, TwoWayField][]) {
    // A name alone is `{field: name}`.
    const field = typeof named === 'string' ? { field: named } : named;
    const at = placed(field);
    if ('table' in field) {
      toRead[app] = { code: at.read, table: field.table };
      toWrite[at.write] = { code: app, table: field.table };
    } else {
      const { unit, round } = field;
      // A single name without unit or rounding is read as the app field's type (a text too).
      toRead[app] =
        typeof at.read === 'string' && unit === undefined && round === undefined
          ? at.read
          : {
              from: at.read,
              ...(unit !== undefined && { unit }),
              ...(round !== undefined && { round }),
            };
      toWrite[at.write] = unit === undefined ? app : { from: app, unit };
    }
  }
  return {
    kind,
    toApp: fieldMapper<C>(kind, { ...mapSpec, fields: { ...toRead, ...read } }),
    fromApp: fieldEncoder<ContainerOf<K>>({
      ...(refuse && { refuse }),
      fields: { ...toWrite, ...write },
    }),
  } satisfies KindMappers<K>;
}
