// Placeholder type until the docker reference parser lands (same commit).
export interface DockerReference {
  readonly domain: string;
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
  toString(): string;
}
