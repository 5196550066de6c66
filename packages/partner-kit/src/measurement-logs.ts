import type { Measurement, MeasurementType } from './containers.js';
import { createdId } from './created-id.js';
import { PartnerError } from './errors.js';
import { fieldEncoder, fieldMapper, type RawPath, type TimeSpec } from './fields.js';
import { measurementFields } from './measurement-fields.js';
import type { DeleteSpec, WriteSpec } from './rest.js';
import { dateWrites } from './two-way-fields.js';
import type { Zone } from './units.js';

/**
 * Measurements kept as one log per type (a weight log, a body fat log): app type -> [the log's
 * name, the unit the partner keeps it in, the entry's value field (default: the log's name)].
 */
export type MeasurementLogTable = Readonly<
  Partial<Record<MeasurementType, readonly [log: string, unit: string, field?: string]>>
>;

export interface MeasurementLogSpec<T extends MeasurementLogTable> {
  readonly logs: T;
  /** Where an entry's id is (default `id`). */
  readonly id?: RawPath;
  /** An entry's date (`fieldMapper`'s `at`, read in the poll's zone unless it says), written back
   * as `dateWrites` gives it. */
  readonly at: TimeSpec<Zone | undefined>;
  /** The value is written as fixed-point text with these decimals (default: as a number). */
  readonly decimals?: number;
}

/** A log's name in a table. */
type LogName<T extends MeasurementLogTable> = {
  [K in keyof T]-?: T[K] extends readonly [infer L extends string, ...unknown[]] ? L : never;
}[keyof T];

/** `{log}` in a path template -> the log. */
const inLog = (template: string, log: string) => template.replaceAll('{log}', log);

/**
 * Measurements a partner keeps as one log per type, each log at its own paths: its entries are
 * named `<log>:<entry id>` (entries of different logs may share an id), read per log in a day
 * window and written to their type's log. Gives each log's `fieldMapper` (`toApp[log]`: rejected
 * without the value field, `<log> log has no <field>`), the encoder (`fromApp`: the value in the
 * log's unit and the date; a type without a log is refused), `holds(m)`, and for `jsonResource`
 * the `days` poll's `reads` and the `writes` (create, delete and the id pattern) from path
 * templates naming `{log}`.
 */
export function measurementLogs<const T extends MeasurementLogTable>(spec: MeasurementLogSpec<T>) {
  const entries = Object.entries(spec.logs) as [MeasurementType, readonly [string, string, string?]][];
  const logs = entries.map(([, [log]]) => log) as LogName<T>[];
  const values = measurementFields(
    Object.fromEntries(entries.map(([type, [log, unit, field = log]]) => [type, [field, unit]])),
  );
  const idPath = spec.id ?? 'id';
  const toApp = Object.fromEntries(
    entries.map(([type, [log, unit, field = log]]) => [
      log,
      fieldMapper<Zone | undefined>('measurement', {
        label: `${log} log`,
        id: (r) => r.id(idPath) && `${log}:${r.id(idPath)}`,
        reject: (r) => (r.get(field) === undefined ? `${log} log has no ${field}` : undefined),
        at: spec.at,
        fields: { type: { is: type }, value: { from: field, unit } },
      }),
    ]),
  ) as Record<LogName<T>, ReturnType<typeof fieldMapper<Zone | undefined>>>;
  const fromApp = fieldEncoder<Measurement>({
    refuse: values.refuse('its logs'),
    fields: {
      ...dateWrites('measurement', spec.at),
      ...values.encode(spec.decimals === undefined ? {} : { decimals: spec.decimals }),
    },
  });
  /** The log an encoded body goes to: the one whose value field it holds. */
  const logOf = (body: Readonly<Record<string, unknown>>): string => {
    const field = values.fieldOf(body);
    const entry = entries.find(([, [log, , f = log]]) => f === field);
    if (!entry) throw new PartnerError('invalid_data', `not a log entry: it has none of ${logs.join(', ')}`);
    return entry[1][0];
  };
  return {
    toApp,
    fromApp,
    /** Whether a measurement's type has a log. */
    holds: values.holds,
    /** `dayWindowPoll` reads: one per log, `{log}` in the path (with `{from}`/`{to}` or `{day}`) and in `items`. */
    reads: (read: { readonly path: string; readonly items: RawPath }) =>
      logs.map((log) => ({ path: inLog(read.path, log), items: inLog(read.items, log), map: toApp[log] })),
    /**
     * `jsonResource` writes, spread into it: `create` to its log's path (`id`: where the new entry's
     * id is, `{log}` naming the log), `delete` at `{log}` and `{id}` (the entry's id), and the
     * `idPattern` of the names (`<log>:<digits>`).
     */
    writes: (w: {
      readonly create: Omit<WriteSpec<Measurement>, 'path' | 'body' | 'id'> & {
        readonly path: string;
        readonly id: RawPath;
      };
      readonly delete: string;
    }) => ({
      idPattern: new RegExp(
        `^(${logs.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}):\\d+$`,
      ),
      create: {
        ...w.create,
        path: (body: Readonly<Record<string, unknown>>) => inLog(w.create.path, logOf(body)),
        body: fromApp,
        id: createdId(
          logs.map((log) => inLog(w.create.id, log)),
          (id, body) => `${logOf(body)}:${id}`,
        ),
      } satisfies WriteSpec<Measurement>,
      delete: {
        path: (externalId: string) => {
          const at = externalId.indexOf(':');
          return inLog(w.delete, externalId.slice(0, at)).replace('{id}', externalId.slice(at + 1));
        },
      } satisfies DeleteSpec,
    }),
  };
}
