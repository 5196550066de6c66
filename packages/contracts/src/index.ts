export * from './define-event.js';
export * from './envelope.js';
export * from './errors.js';
export * from './events.js';
export * from './topology.js';
