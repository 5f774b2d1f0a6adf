// @skopeo-ts/transport-oci: the oci: and oci-archive: transports as a skopeo-ts plugin.
import { defineTransportPlugin } from '@skopeo-ts/core';
import packageJson from '../package.json' with { type: 'json' };
import { ociArchiveTransport, ociTransport } from './transport.js';

export { ociArchiveTransport, ociTransport } from './transport.js';
export { OciArchiveReference, OciLayoutReference } from './reference.js';
export { isValidRefName, type ParsedLayoutReference, parseLayoutReferenceText } from './reference-text.js';
export { LayoutImageSource, type LayoutLocation } from './source.js';
export { LayoutImageDestination, type LayoutDestinationOptions } from './destination.js';
export { ArchiveImageSource } from './archive/source.js';
export { ArchiveImageDestination } from './archive/destination.js';
export { type DeleteResult, deleteFromLayout } from './delete.js';
export {
  acquireLayoutLock,
  DEFAULT_LOCK_TIMEOUT_MS,
  type LockOptions,
  STALE_LOCK_MS,
  withLayoutLock,
} from './layout/lock.js';
export { INDEX_FILE, LOCK_FILE, OCI_LAYOUT_FILE, REF_NAME_ANNOTATION } from './layout/paths.js';

const plugin = defineTransportPlugin({
  packageName: packageJson.name,
  packageVersion: packageJson.version,
  transports: [ociTransport, ociArchiveTransport],
});

export default plugin;
