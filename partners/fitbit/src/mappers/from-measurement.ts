import { BODY_LOGS } from './to-measurement.js';

/** Weight (kg) or body fat (%) log parameters (local date and time); the field names the log. */
export const fromMeasurement = BODY_LOGS.fromApp;
