// Image references: the docker grammar and `transport:rest` splitting.
// Named exports only: parseDockerReferenceText is internal to this folder.
export {
  DEFAULT_DOCKER_DOMAIN,
  DEFAULT_DOCKER_TAG,
  DOCKER_NAME_MAX_LENGTH,
  isValidDockerTag,
} from './docker-grammar.js';
export {
  type DockerReference,
  isNameOnly,
  parseDockerReference,
  parseDockerReferenceStrict,
  withDefaultTag,
  withDigest,
  withoutTagOrDigest,
  withTag,
} from './docker-reference.js';
export {
  parseDockerTransportReference,
  splitTransportReference,
  type TransportReferenceParts,
} from './transport-reference.js';
