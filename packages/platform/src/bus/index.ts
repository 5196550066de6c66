export * from './backoff.js';
export * from './bus.js';
export * from './errors.js';
export * from './outcome.js';
export { assertTopology, eventTypesBoundTo, patternsOverlap } from './topology.js';
export { traceCarrier } from './trace.js';
