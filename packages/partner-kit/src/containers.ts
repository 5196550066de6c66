import { z } from 'zod';

/**
 * The app's data containers (DESIGN.md §7): strict, metric, every item dated with its UTC offset.
 * Partner mappers produce these; the generic store writes them; mappers from the app read them.
 * Unit conversion lives in `units.ts`; `source` keeps what the partner sent.
 */
export const IsoWithOffset = z.iso.datetime({ offset: true });

export const SourceQuantity = z.object({ value: z.number().finite(), unit: z.string().min(1) });

export const MEASUREMENT_TYPES = ['weight', 'body_fat', 'height', 'waist'] as const;
export const MeasurementType = z.enum(MEASUREMENT_TYPES);
export type MeasurementType = z.infer<typeof MeasurementType>;

/** Metric unit per measurement type, and the plausible range of a real human value. */
export const MEASUREMENT_UNITS = {
  weight: { unit: 'kg', min: 1, max: 650 },
  body_fat: { unit: '%', min: 1, max: 75 },
  height: { unit: 'cm', min: 30, max: 280 },
  waist: { unit: 'cm', min: 20, max: 300 },
} as const satisfies Record<MeasurementType, { unit: string; min: number; max: number }>;

export const Measurement = z
  .object({
    kind: z.literal('measurement'),
    type: MeasurementType,
    value: z.number().finite(),
    unit: z.enum(['kg', '%', 'cm']),
    measuredAt: IsoWithOffset,
    utcOffsetMinutes: z
      .number()
      .int()
      .min(-14 * 60)
      .max(14 * 60),
    source: SourceQuantity.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const spec = MEASUREMENT_UNITS[m.type];
    if (m.unit !== spec.unit)
      ctx.addIssue({ code: 'custom', path: ['unit'], message: `${m.type} must be in ${spec.unit}` });
    if (m.value < spec.min || m.value > spec.max)
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `${m.type} ${m.value} ${m.unit} is outside ${spec.min}..${spec.max}`,
      });
  });
export type Measurement = z.infer<typeof Measurement>;

export const Exercise = z
  .object({
    kind: z.literal('exercise'),
    /** Free-text activity type as the app names it (running, walking, cycling, swimming, other...). */
    activityType: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
    startedAt: IsoWithOffset,
    utcOffsetMinutes: z
      .number()
      .int()
      .min(-14 * 60)
      .max(14 * 60),
    durationSeconds: z
      .number()
      .int()
      .positive()
      .max(7 * 24 * 3600),
    calories: z.number().nonnegative().max(50_000).optional(),
    caloriesPerHour: z.number().nonnegative().max(5_000).optional(),
    distanceMeters: z.number().nonnegative().max(2_000_000).optional(),
  })
  .strict()
  .refine((e) => e.calories !== undefined || e.caloriesPerHour !== undefined, {
    message: 'exercise needs calories, or a duration with calories per hour',
    path: ['calories'],
  });
export type Exercise = z.infer<typeof Exercise>;

export const MEALS = ['breakfast', 'lunch', 'dinner', 'snack', 'other'] as const;
export const Food = z
  .object({
    kind: z.literal('food'),
    name: z.string().min(1).max(200),
    meal: z.enum(MEALS),
    consumedAt: IsoWithOffset,
    utcOffsetMinutes: z
      .number()
      .int()
      .min(-14 * 60)
      .max(14 * 60),
    calories: z.number().nonnegative().max(20_000),
    proteinGrams: z.number().nonnegative().max(2_000).optional(),
    fatGrams: z.number().nonnegative().max(2_000).optional(),
    carbsGrams: z.number().nonnegative().max(5_000).optional(),
  })
  .strict();
export type Food = z.infer<typeof Food>;

export const Container = z.union([Measurement, Exercise, Food]);
export type Container = Measurement | Exercise | Food;
export type ContainerOf<K extends 'measurement' | 'exercise' | 'food'> = Extract<Container, { kind: K }>;

export const containerSchemas = { measurement: Measurement, exercise: Exercise, food: Food } as const;
