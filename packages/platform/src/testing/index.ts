export * from './bus-observer.js';
export * from './clock.js';
export * from './service-process.js';
export * from './test-database.js';
export * from './test-vhost.js';
