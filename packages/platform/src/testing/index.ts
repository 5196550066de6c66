export * from './test-database.js';
export * from './test-vhost.js';
export * from './clock.js';
