// What the auth service and the scheduler may import: declarations and configuration only, no API code.
export * from './config.js';
export * from './containers.js';
export * from './define-partner.js';
export * from './error-list.js';
export * from './errors.js';
export * from './oauth1-generation.js';
export * from './raw.js';
export * from './status-envelope.js';
export * from './token-user.js';
export * from './webhook.js';
export * from './webhook-events.js';
