// Distribution API paths for one repository.
export function manifestPath(repository: string, tagOrDigest: string): string {
  return `/v2/${repository}/manifests/${tagOrDigest}`;
}

export function blobPath(repository: string, digest: string): string {
  return `/v2/${repository}/blobs/${digest}`;
}

export function uploadsPath(repository: string): string {
  return `/v2/${repository}/blobs/uploads/`;
}

export function tagsPath(repository: string): string {
  return `/v2/${repository}/tags/list`;
}

export const CATALOG_PATH = '/v2/_catalog';
