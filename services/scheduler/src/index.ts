export * from './config.js';
export * from './domain/projection.js';
export * from './domain/schedule.js';
export * from './handlers/index.js';
export * from './partners.js';
export * from './policy/index.js';
export * from './scheduler.js';
