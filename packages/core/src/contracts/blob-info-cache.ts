// Remembers facts about blobs across copies: where a blob was seen (for cross-repository mounts)
// and which compressed blob corresponds to which uncompressed one (to skip recompression).
import type { Digest } from '../digest.js';

export interface BlobLocation {
  /** Transport name, e.g. "docker". */
  transport: string;
  /** Transport-specific scope, e.g. "registry.example:5000" for the docker transport. */
  scope: string;
  /** Transport-specific location within the scope, e.g. a repository name. */
  location: string;
}

export interface BlobInfoCache {
  /** The uncompressed digest (DiffID) of a blob, if known. */
  uncompressedDigest(anyDigest: Digest): Digest | undefined;
  recordDigestUncompressedPair(anyDigest: Digest, uncompressed: Digest): void;
  recordKnownLocation(blob: Digest, location: BlobLocation): void;
  /** Known locations of a blob within one transport and scope, most recent first. */
  knownLocations(blob: Digest, transport: string, scope: string): BlobLocation[];
}

/** An in-memory cache, used when the caller does not provide a persistent one. */
export class MemoryBlobInfoCache implements BlobInfoCache {
  private readonly uncompressed = new Map<Digest, Digest>();
  private readonly locations = new Map<Digest, BlobLocation[]>();

  uncompressedDigest(anyDigest: Digest): Digest | undefined {
    return this.uncompressed.get(anyDigest);
  }

  recordDigestUncompressedPair(anyDigest: Digest, uncompressed: Digest): void {
    this.uncompressed.set(anyDigest, uncompressed);
    if (!this.uncompressed.has(uncompressed)) this.uncompressed.set(uncompressed, uncompressed);
  }

  recordKnownLocation(blob: Digest, location: BlobLocation): void {
    const known = (this.locations.get(blob) ?? []).filter(
      (l) =>
        !(
          l.transport === location.transport &&
          l.scope === location.scope &&
          l.location === location.location
        ),
    );
    known.unshift(location);
    this.locations.set(blob, known);
  }

  knownLocations(blob: Digest, transport: string, scope: string): BlobLocation[] {
    return (this.locations.get(blob) ?? []).filter((l) => l.transport === transport && l.scope === scope);
  }
}
