// One containers/storage store: where its files are, which graph driver it uses, and its two
// locked record files. Opening it for writing cleans up layers an interrupted writer left
// (records flagged `incomplete`), as containers/storage does when it loads a read-write store.
import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, ImageNotFoundError, UnsupportedError } from '@skopeo-ts/core';
import type { StoreSpec } from '../reference-text.js';
import type { DriverName, LayerDriver } from '../drivers/driver.js';
import { OverlayDriver } from '../drivers/overlay.js';
import { VfsDriver } from '../drivers/vfs.js';
import { loadStoreConfig } from './config.js';
import { type HeldLock, type LockKind, lockFile, withLock } from './lock-file.js';
import { type ImageRecord, isIncomplete, type LayerRecord, readRecords, writeRecords } from './records.js';

export interface StoreLocation {
  driver: DriverName;
  graphRoot: string;
  runRoot: string;
  /** This driver's options without the driver prefix (`mount_program` → value). */
  driverOptions: ReadonlyMap<string, string>;
}

const SUPPORTED_DRIVERS: readonly DriverName[] = ['overlay', 'vfs'];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The driver a store already uses: the first driver directory present, else overlay. */
async function priorDriver(graphRoot: string): Promise<DriverName> {
  for (const driver of SUPPORTED_DRIVERS) {
    if (await exists(join(graphRoot, `${driver}-layers`))) return driver;
  }
  for (const other of ['btrfs', 'zfs', 'aufs', 'devmapper']) {
    if (await exists(join(graphRoot, `${other}-layers`))) {
      throw new UnsupportedError(
        `the store ${graphRoot} uses the ${other} driver; only overlay and vfs are supported`,
      );
    }
  }
  return 'overlay';
}

/** The store a reference names: its bracketed spec over storage.conf over the built-in defaults. */
export async function resolveStoreLocation(
  spec: StoreSpec | undefined,
  ctx: Context,
): Promise<StoreLocation> {
  const config = await loadStoreConfig(ctx);
  const graphRoot = spec?.graphRoot ?? config.graphRoot;
  const runRoot = spec?.runRoot ?? config.runRoot;
  const named = spec?.driver ?? (config.driver === '' ? undefined : config.driver);
  const driver = named ?? (await priorDriver(graphRoot));
  if (!SUPPORTED_DRIVERS.includes(driver as DriverName)) {
    throw new UnsupportedError(
      `the containers-storage driver "${driver}" is not supported (only overlay and vfs)`,
      {
        hint: 'name a supported driver, e.g. containers-storage:[vfs@/var/lib/containers/storage]IMAGE',
      },
    );
  }
  const options = spec !== undefined && spec.options.length > 0 ? spec.options : config.options;
  const driverOptions = new Map<string, string>();
  for (const option of options) {
    const eq = option.indexOf('=');
    const key = option.slice(0, eq);
    if (key.startsWith(`${driver}.`)) driverOptions.set(key.slice(driver.length + 1), option.slice(eq + 1));
  }
  return { driver: driver as DriverName, graphRoot, runRoot, driverOptions };
}

export class Store {
  readonly driver: LayerDriver;
  readonly layersDir: string;
  readonly imagesDir: string;

  constructor(readonly location: StoreLocation) {
    const { graphRoot, driver } = location;
    this.driver =
      driver === 'vfs'
        ? new VfsDriver(graphRoot)
        : new OverlayDriver(graphRoot, location.driverOptions.get('mount_program') || undefined);
    this.layersDir = join(graphRoot, `${driver}-layers`);
    this.imagesDir = join(graphRoot, `${driver}-images`);
  }

  /** `[driver@graphroot+runroot]`, for messages. */
  get label(): string {
    const { driver, graphRoot, runRoot } = this.location;
    return `[${driver}@${graphRoot}+${runRoot}]`;
  }

  get layersJson(): string {
    return join(this.layersDir, 'layers.json');
  }
  get imagesJson(): string {
    return join(this.imagesDir, 'images.json');
  }
  get containersJson(): string {
    return join(this.location.graphRoot, `${this.location.driver}-containers`, 'containers.json');
  }
  tarSplitPath(layerId: string): string {
    return join(this.layersDir, `${layerId}.tar-split.gz`);
  }
  imageDir(imageId: string): string {
    return join(this.imagesDir, imageId);
  }

  /** Creates the store's directories (0700), as containers/storage does on first use. */
  async initForWriting(): Promise<void> {
    const { graphRoot, runRoot, driver } = this.location;
    for (const dir of [
      graphRoot,
      runRoot,
      this.layersDir,
      this.imagesDir,
      join(graphRoot, `${driver}-containers`),
      join(runRoot, `${driver}-layers`),
      join(runRoot, `${driver}-containers`),
      join(runRoot, `${driver}-locks`),
    ]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
    await this.driver.init();
  }

  /** For readers: NOT_FOUND when there is no store at all. */
  async requireExisting(what: string): Promise<void> {
    if (!(await exists(this.layersDir)) && !(await exists(this.imagesDir))) {
      throw new ImageNotFoundError(
        `${what}: there is no ${this.location.driver} store in ${this.location.graphRoot}`,
      );
    }
  }

  /**
   * Runs `work` with layers.json locked. A write lock first removes incomplete layers (an
   * interrupted writer's): nobody else can be creating them while we hold the lock.
   */
  async withLayers<T>(
    kind: LockKind,
    work: (records: LayerRecord[], save: (records: LayerRecord[]) => Promise<void>) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return withLock(
      join(this.layersDir, 'layers.lock'),
      kind,
      async (lock: HeldLock) => {
        let records = await readRecords<LayerRecord>(this.layersJson);
        const save = async (next: LayerRecord[]) => {
          await writeRecords(lock, this.layersJson, next);
          records = next;
        };
        if (kind === 'write' && records.some(isIncomplete)) {
          for (const record of records.filter(isIncomplete)) await this.removeLayerFiles(record.id);
          await save(records.filter((record) => !isIncomplete(record)));
        }
        return work(kind === 'write' ? records : records.filter((record) => !isIncomplete(record)), save);
      },
      signal,
    );
  }

  /** Holds layers.lock (e.g. while a layer is read out, so that nobody deletes it meanwhile). */
  lockLayers(kind: LockKind, signal?: AbortSignal): Promise<HeldLock> {
    return lockFile(join(this.layersDir, 'layers.lock'), kind, signal);
  }

  async withImages<T>(
    kind: LockKind,
    work: (records: ImageRecord[], save: (records: ImageRecord[]) => Promise<void>) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return withLock(
      join(this.imagesDir, 'images.lock'),
      kind,
      async (lock: HeldLock) => {
        const records = await readRecords<ImageRecord>(this.imagesJson);
        return work(records, (next) => writeRecords(lock, this.imagesJson, next));
      },
      signal,
    );
  }

  /** A layer's driver directory and tar-split; the record is the caller's. */
  async removeLayerFiles(layerId: string): Promise<void> {
    await this.driver.remove(layerId);
    await rm(this.tarSplitPath(layerId), { force: true });
    await rm(join(this.layersDir, layerId), { recursive: true, force: true });
  }
}
