export { api } from './api.js';
export { declaration, fitbitSignature } from './partner.js';
