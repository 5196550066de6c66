import type { DataKind } from '@healthsync/contracts';
import {
  type Container,
  type ContainerOf,
  containerSchemas,
  type Exercise,
  type Food,
  type Measurement,
} from '@healthsync/partner-kit/declaration';
import { z } from 'zod';

/**
 * Row <-> container mapping for the app's tables (pure: no I/O). A container is what partners and
 * the sync worker speak (strict, metric, dated with a UTC offset); a row is what the app stores.
 * The stored instant and the UTC offset are kept apart, as the app keeps them; reading a row back
 * formats the instant in its own offset. A container's `source` (what the partner sent before unit
 * conversion) has no column and is not kept.
 */

export const APP_TABLES = {
  exercise: 'exercises',
  food: 'food_entries',
  measurement: 'body_measurements',
} as const satisfies Record<DataKind, string>;

export type ColumnType = 'text' | 'integer' | 'numeric' | 'timestamptz';
export type ColumnValue = string | number | null;

/** A stored row id: the app's bigserial ids travel as decimal strings. */
export const AppRowId = z.string().regex(/^[1-9][0-9]{0,17}$/, 'app row id must be a positive integer');

const numeric = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? v : Number(v)))
  .pipe(z.number().finite());
const optionalNumeric = numeric.nullable();

/** Columns every data row is read with, besides its own. */
const common = {
  id: z.union([z.string(), z.number()]).transform(String).pipe(AppRowId),
  user_id: z.string(),
  utc_offset_minutes: z.number().int(),
  /** `updated_at` in microseconds since the epoch, as a decimal string. */
  version: z.string().regex(/^-?[0-9]+$/),
  deleted: z.boolean(),
};

export const ExerciseRow = z.object({
  ...common,
  activity_type: z.string(),
  name: z.string(),
  started_at: z.date(),
  duration_seconds: z.number().int(),
  calories: optionalNumeric,
  calories_per_hour: optionalNumeric,
  distance_meters: optionalNumeric,
});
export type ExerciseRow = z.infer<typeof ExerciseRow>;

export const FoodRow = z.object({
  ...common,
  consumed_at: z.date(),
  name: z.string(),
  meal: z.string(),
  calories: numeric,
  protein_grams: optionalNumeric,
  fat_grams: optionalNumeric,
  carbs_grams: optionalNumeric,
});
export type FoodRow = z.infer<typeof FoodRow>;

export const MeasurementRow = z.object({
  ...common,
  kind: z.string(),
  value: numeric,
  unit: z.string(),
  measured_at: z.date(),
});
export type MeasurementRow = z.infer<typeof MeasurementRow>;

export interface RowOf {
  exercise: ExerciseRow;
  food: FoodRow;
  measurement: MeasurementRow;
}

export interface KindSpec<K extends DataKind> {
  readonly kind: K;
  readonly table: (typeof APP_TABLES)[K];
  /** The data columns written from a container, in order, with their SQL types. */
  readonly columns: readonly (readonly [name: string, type: ColumnType])[];
  readonly rowSchema: z.ZodType<RowOf[K]>;
  toColumns(container: ContainerOf<K>): Record<string, ColumnValue>;
  /** The container a row stands for, before the strict schema checks it. */
  toCandidate(row: RowOf[K]): Record<string, unknown>;
}

/** Format an instant as ISO 8601 local time with the given UTC offset (`2026-03-01T08:30:00+01:00`). */
export function formatWithOffset(instant: Date, offsetMinutes: number): string {
  const local = new Date(instant.getTime() + offsetMinutes * 60_000).toISOString();
  const withoutZone = local.endsWith('.000Z') ? local.slice(0, -5) : local.slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${withoutZone}${sign}${hh}:${mm}`;
}

const orNull = (v: number | undefined): number | null => (v === undefined ? null : v);

export const exerciseSpec: KindSpec<'exercise'> = {
  kind: 'exercise',
  table: 'exercises',
  columns: [
    ['activity_type', 'text'],
    ['name', 'text'],
    ['started_at', 'timestamptz'],
    ['utc_offset_minutes', 'integer'],
    ['duration_seconds', 'integer'],
    ['calories', 'numeric'],
    ['calories_per_hour', 'numeric'],
    ['distance_meters', 'numeric'],
  ],
  rowSchema: ExerciseRow,
  toColumns: (c: Exercise) => ({
    activity_type: c.activityType,
    name: c.name,
    started_at: c.startedAt,
    utc_offset_minutes: c.utcOffsetMinutes,
    duration_seconds: c.durationSeconds,
    calories: orNull(c.calories),
    calories_per_hour: orNull(c.caloriesPerHour),
    distance_meters: orNull(c.distanceMeters),
  }),
  toCandidate: (r) => ({
    kind: 'exercise',
    activityType: r.activity_type,
    name: r.name,
    startedAt: formatWithOffset(r.started_at, r.utc_offset_minutes),
    utcOffsetMinutes: r.utc_offset_minutes,
    durationSeconds: r.duration_seconds,
    ...(r.calories !== null ? { calories: r.calories } : {}),
    ...(r.calories_per_hour !== null ? { caloriesPerHour: r.calories_per_hour } : {}),
    ...(r.distance_meters !== null ? { distanceMeters: r.distance_meters } : {}),
  }),
};

export const foodSpec: KindSpec<'food'> = {
  kind: 'food',
  table: 'food_entries',
  columns: [
    ['consumed_at', 'timestamptz'],
    ['utc_offset_minutes', 'integer'],
    ['name', 'text'],
    ['meal', 'text'],
    ['calories', 'numeric'],
    ['protein_grams', 'numeric'],
    ['fat_grams', 'numeric'],
    ['carbs_grams', 'numeric'],
  ],
  rowSchema: FoodRow,
  toColumns: (c: Food) => ({
    consumed_at: c.consumedAt,
    utc_offset_minutes: c.utcOffsetMinutes,
    name: c.name,
    meal: c.meal,
    calories: c.calories,
    protein_grams: orNull(c.proteinGrams),
    fat_grams: orNull(c.fatGrams),
    carbs_grams: orNull(c.carbsGrams),
  }),
  // The app's meal column is free text; a value outside MEALS fails validation on the way out.
  toCandidate: (r) => ({
    kind: 'food',
    name: r.name,
    meal: r.meal,
    consumedAt: formatWithOffset(r.consumed_at, r.utc_offset_minutes),
    utcOffsetMinutes: r.utc_offset_minutes,
    calories: r.calories,
    ...(r.protein_grams !== null ? { proteinGrams: r.protein_grams } : {}),
    ...(r.fat_grams !== null ? { fatGrams: r.fat_grams } : {}),
    ...(r.carbs_grams !== null ? { carbsGrams: r.carbs_grams } : {}),
  }),
};

export const measurementSpec: KindSpec<'measurement'> = {
  kind: 'measurement',
  table: 'body_measurements',
  columns: [
    ['kind', 'text'],
    ['value', 'numeric'],
    ['unit', 'text'],
    ['measured_at', 'timestamptz'],
    ['utc_offset_minutes', 'integer'],
  ],
  rowSchema: MeasurementRow,
  toColumns: (c: Measurement) => ({
    kind: c.type,
    value: c.value,
    unit: c.unit,
    measured_at: c.measuredAt,
    utc_offset_minutes: c.utcOffsetMinutes,
  }),
  toCandidate: (r) => ({
    kind: 'measurement',
    type: r.kind,
    value: r.value,
    unit: r.unit,
    measuredAt: formatWithOffset(r.measured_at, r.utc_offset_minutes),
    utcOffsetMinutes: r.utc_offset_minutes,
  }),
};

export const kindSpecs: { readonly [K in DataKind]: KindSpec<K> } = {
  exercise: exerciseSpec,
  food: foodSpec,
  measurement: measurementSpec,
};

/** The column values a container is stored as. */
export function containerColumns(container: Container): Record<string, ColumnValue> {
  switch (container.kind) {
    case 'exercise':
      return exerciseSpec.toColumns(container);
    case 'food':
      return foodSpec.toColumns(container);
    case 'measurement':
      return measurementSpec.toColumns(container);
  }
}

export function specOf<K extends DataKind>(kind: K): KindSpec<K> {
  const spec = kindSpecs[kind];
  if (!spec) throw new Error(`unknown data kind ${JSON.stringify(kind)}`);
  return spec;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validate anything against the strict container schema of its `kind`. */
export function validateContainer(value: unknown): Validated<Container> {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(containerSchemas, kind)) {
    return { ok: false, reason: `kind: expected one of ${Object.keys(containerSchemas).join(', ')}` };
  }
  const parsed = containerSchemas[kind as DataKind].safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: describe(parsed.error) };
}

/**
 * Turn a database row into a strict container. A row the app wrote that the strict schema refuses
 * (an exercise with neither calories nor calories per hour, a meal outside the known set, a value
 * outside the human range) comes back as a reason instead.
 */
export function rowToContainer<K extends DataKind>(
  kind: K,
  row: unknown,
): Validated<{ row: RowOf[K]; container: ContainerOf<K> }> {
  const spec = specOf(kind);
  const parsedRow = spec.rowSchema.safeParse(row);
  if (!parsedRow.success) return { ok: false, reason: `row: ${describe(parsedRow.error)}` };
  const container = spec.toCandidate(parsedRow.data);
  const checked = containerSchemas[kind].safeParse(container);
  if (!checked.success) return { ok: false, reason: describe(checked.error) };
  return { ok: true, value: { row: parsedRow.data, container: checked.data as ContainerOf<K> } };
}
