export { copyImage } from './copy-image.js';
export { copyImages } from './copy-images.js';
export { type CopyOptions, type CopyResult, type MultiArch, DEFAULT_CONCURRENCY } from './options.js';
export { mapWithConcurrency } from './limiter.js';
