// @skopeo-ts/core public API.
export * from './errors.js';
export * from './digest.js';
export * from './contracts/index.js';
export * from './reference/index.js';
export * from './manifest/index.js';
export * from './streams/index.js';
export * from './copy/index.js';
