export * from './peek.js';
export * from './verify.js';
export * from './compression.js';
export {
  createParallelGzip,
  DEFAULT_PARALLEL_GZIP_BLOCK_SIZE,
  DEFAULT_PARALLEL_GZIP_LEVEL,
  type ParallelGzipOptions,
  parallelGzipJobs,
} from './parallel-gzip.js';
