// Imported first by main.ts: ES modules evaluate in import order, so tracing is set up before
// the database, HTTP and broker modules load.
import { startTelemetry } from '@healthsync/platform/otel';

export const telemetry = startTelemetry('auth');
