// docker-daemon: references: an image in a Docker engine, by name:tag, name@digest or ID.
import {
  type Context,
  type DockerReference,
  deleteNotSupported,
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  InvalidReferenceError,
  type Transport,
} from '@skopeo-ts/core';
import { openDaemonDestination } from './destination.js';
import { type DaemonReferenceTarget, daemonReferenceText, engineImageName } from './reference-text.js';
import { openDaemonSource } from './source.js';

export class DaemonImageReference implements ImageReference {
  readonly withinTransport: string;
  readonly dockerReference: DockerReference | undefined;

  constructor(
    readonly transport: Transport,
    readonly target: DaemonReferenceTarget,
  ) {
    this.withinTransport = daemonReferenceText(target);
    this.dockerReference = target.kind === 'name' ? target.ref : undefined;
  }

  toString(): string {
    return `${this.transport.name}:${this.withinTransport}`;
  }

  /**
   * Empty, as containers/image: images are also named by ID here, so a name-based policy scope
   * would not describe them; the policy's transport-wide default applies.
   */
  policyIdentity(): string {
    return '';
  }

  policyNamespaces(): string[] {
    return [];
  }

  newSource(ctx: Context): Promise<ImageSource> {
    return openDaemonSource(this, engineImageName(this.target), ctx);
  }

  async newDestination(ctx: Context): Promise<ImageDestination> {
    const ref = this.dockerReference;
    if (ref === undefined || ref.tag === undefined || ref.digest !== undefined) {
      throw new InvalidReferenceError(
        this.toString(),
        'a docker-daemon: destination must be a name:tag (the engine stores images under tags), e.g. docker-daemon:localhost/app:v1',
      );
    }
    return openDaemonDestination(this, ref, ctx);
  }

  delete = deleteNotSupported('docker-daemon');
}
