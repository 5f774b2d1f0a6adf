export * from './peek.js';
export * from './verify.js';
export * from './compression.js';
