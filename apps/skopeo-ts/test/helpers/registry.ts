// A read-only npm registry on loopback that serves packed tarballs: what npm needs to install a
// package by name (its packument, then its tarball, checked against the packument's integrity).
// Tests point one scope at it (`--@skopeo-ts:registry=URL`), so @skopeo-ts/* come from here and
// everything else (commander, tar-stream, ...) from the usual registry.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PackedPackage } from './pack.js';

export interface LocalRegistry {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** Request paths served so far, for assertions ("was @skopeo-ts/core fetched from here?"). */
  requests: string[];
  stop(): Promise<void>;
}

export async function startLocalRegistry(packages: readonly PackedPackage[]): Promise<LocalRegistry> {
  const packuments = new Map<string, Buffer>();
  const tarballs = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    requests.push(`${request.method} ${path}`);
    const tarball = tarballs.get(path);
    const packument = packuments.get(path.slice(1));
    if (request.method === 'GET' && tarball) {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': tarball.length,
      });
      response.end(tarball);
    } else if (request.method === 'GET' && packument) {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': packument.length });
      response.end(packument);
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'not found' }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  for (const pkg of packages) {
    const bytes = await readFile(pkg.tarball);
    const file = `${pkg.name.replace(/^@[^/]+\//, '')}-${pkg.version}.tgz`;
    const tarballPath = `/${pkg.name}/-/${file}`;
    const version = {
      ...pkg.packageJson,
      _id: `${pkg.name}@${pkg.version}`,
      dist: {
        tarball: `${url}${pkg.name}/-/${file}`,
        integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
        shasum: createHash('sha1').update(bytes).digest('hex'),
      },
    };
    const packument = {
      _id: pkg.name,
      name: pkg.name,
      'dist-tags': { latest: pkg.version },
      versions: { [pkg.version]: version },
    };
    packuments.set(pkg.name, Buffer.from(JSON.stringify(packument)));
    tarballs.set(tarballPath, bytes);
  }
  return {
    url,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
