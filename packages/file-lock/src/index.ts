// @skopeo-ts/file-lock: a cross-process lock file with stale-lock detection, for skopeo-ts
// transports that must serialize a read-modify-write on disk across processes.
export {
  acquireFileLock,
  DEFAULT_LOCK_TIMEOUT_MS,
  type FileLockOptions,
  HEARTBEAT_MS,
  type LockOwner,
  processIsAlive,
  type ReleaseLock,
  STALE_LOCK_MS,
  withFileLock,
} from './lock.js';
