// An opened docker save archive: the tar indexed once, manifest.json parsed, members read by
// offset. Shared by the image source and list-tags.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { type Context, ImageNotFoundError } from '@skopeo-ts/core';
import { corruptArchive } from '../errors.js';
import { openTarFile, type TarFile } from './input.js';
import { MANIFEST_FILE, type ManifestItem, parseManifestJson } from './manifest-json.js';
import { indexTar, resolveFile, type TarMember } from './tar-index.js';

/** manifest.json of a huge multi-image archive is still small; more is hostile. */
const MAX_MANIFEST_JSON = 16 * 1024 * 1024;

export class DockerArchive {
  private constructor(
    /** Names the archive in errors (the reference the user typed). */
    readonly label: string,
    private readonly tar: TarFile,
    private readonly members: ReadonlyMap<string, TarMember>,
    readonly items: readonly ManifestItem[],
  ) {}

  static async open(path: string, label: string, ctx: Context): Promise<DockerArchive> {
    const tar = await openTarFile(path, label, ctx);
    try {
      const members = await indexTar(tar.handle, tar.size, { label, signal: ctx.signal });
      const manifestMember = resolveFile(members, MANIFEST_FILE, label);
      if (manifestMember === undefined) {
        const ociLayout = members.has('index.json') && members.has('oci-layout');
        throw new ImageNotFoundError(
          `${label}: ${path} is not a docker save archive: it holds no ${MANIFEST_FILE} (archives older than Docker 1.10 are not supported)`,
          ociLayout ? { hint: `it is an OCI archive: read it as oci-archive:${path}` } : {},
        );
      }
      const archive = new DockerArchive(label, tar, members, []);
      const bytes = await archive.readMember(manifestMember, MAX_MANIFEST_JSON, MANIFEST_FILE);
      return new DockerArchive(label, tar, members, parseManifestJson(bytes, label));
    } catch (error) {
      await tar.close();
      throw error;
    }
  }

  /** The file member a manifest.json path names, following links; refused when missing. */
  file(name: string): TarMember {
    const member = resolveFile(this.members, name, this.label);
    if (member === undefined) {
      throw corruptArchive(
        this.label,
        `${MANIFEST_FILE} names ${JSON.stringify(name)}, which the archive does not hold`,
      );
    }
    return member;
  }

  /** A small member whole (configs, manifest.json), refused above `limit` bytes. */
  async readMember(member: TarMember, limit: number, what: string): Promise<Buffer> {
    if (member.size > limit) {
      throw corruptArchive(this.label, `${what} is ${member.size} bytes, over the limit of ${limit} bytes`);
    }
    const bytes = Buffer.alloc(member.size);
    const { bytesRead } = await this.tar.handle.read(bytes, 0, member.size, member.dataOffset);
    if (bytesRead !== member.size)
      throw corruptArchive(this.label, `the archive is truncated inside ${what}`);
    return bytes;
  }

  /** The first bytes of a member (for compression magic). */
  async head(member: TarMember, count: number): Promise<Buffer> {
    const bytes = Buffer.alloc(Math.min(count, member.size));
    await this.tar.handle.read(bytes, 0, bytes.length, member.dataOffset);
    return bytes;
  }

  /** A member's body, streamed from its offset. */
  stream(member: TarMember, signal?: AbortSignal): Readable {
    if (member.size === 0) return Readable.from([]);
    return createReadStream(this.tar.path, {
      start: member.dataOffset,
      end: member.dataOffset + member.size - 1,
      highWaterMark: 1024 * 1024,
      ...(signal ? { signal } : {}),
    });
  }

  close(): Promise<void> {
    return this.tar.close();
  }
}
