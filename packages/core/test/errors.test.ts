import { describe, expect, it } from 'vitest';
import {
  exitCodeFor,
  ImageNotFoundError,
  IoError,
  isSkopeoError,
  SkopeoError,
  throwIfAborted,
  UnsupportedError,
} from '../src/errors.js';

describe('errors', () => {
  it('are recognised by brand and code, not by class identity', () => {
    const foreign = { brand: 'skopeo-ts.error', code: 'NOT_FOUND', message: 'from another copy of core' };
    expect(isSkopeoError(foreign)).toBe(true);
    expect(isSkopeoError(foreign, 'NOT_FOUND')).toBe(true);
    expect(isSkopeoError(foreign, 'IO')).toBe(false);
    expect(isSkopeoError(new Error('plain'))).toBe(false);
    expect(isSkopeoError(null)).toBe(false);
  });

  it('map to skopeo exit codes: 2 for not found, 1 otherwise', () => {
    expect(exitCodeFor(new ImageNotFoundError('no such image'))).toBe(2);
    expect(exitCodeFor(new UnsupportedError('nope'))).toBe(1);
    expect(exitCodeFor(new Error('anything'))).toBe(1);
  });

  it('carry the path and operation of an I/O failure', () => {
    const cause = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const error = new IoError('writing blob', '/data/blobs/sha256/abc', cause);
    expect(error.message).toBe('writing blob /data/blobs/sha256/abc: ENOSPC: no space left on device');
    expect(error.cause).toBe(cause);
    expect(error.code).toBe('IO');
  });

  it('turn an aborted signal into an ABORTED error', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    controller.abort(new Error('user pressed ^C'));
    expect(() => throwIfAborted(controller.signal)).toThrow(/aborted: user pressed \^C/);
    try {
      throwIfAborted(controller.signal);
    } catch (error) {
      expect(isSkopeoError(error, 'ABORTED')).toBe(true);
      expect(error).toBeInstanceOf(SkopeoError);
    }
  });
});
