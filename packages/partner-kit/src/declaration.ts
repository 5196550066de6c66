// What the auth service and the scheduler may import: declarations only, no API code.
export * from './containers.js';
export * from './define-partner.js';
export * from './errors.js';
