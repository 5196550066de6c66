export { api } from './api.js';
export { declaration } from './partner.js';
