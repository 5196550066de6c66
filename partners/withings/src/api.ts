import { definePartnerApi } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';

/** Answers are classified by the declaration's envelope: the body's `status` (0 = ok; 601 waits a minute). */
export const api = definePartnerApi({ declaration, resources: { measurement, exercise } });
