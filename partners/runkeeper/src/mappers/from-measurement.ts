import { MEASUREMENT } from './to-measurement.js';

/** A weight or body-fat measurement -> the fields of a NewWeightSet / WeightSet body. */
export const fromMeasurement = MEASUREMENT.fromApp;
