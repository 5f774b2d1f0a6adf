// Docker engine API peers (dockerd, podman's service), sshd for ssh:// hosts, and a small API client.
export {
  type EngineClient,
  type EngineEndpoint,
  type EngineImageInspect,
  type EngineImageSummary,
  EngineApiError,
  engineClient,
} from './api-client.js';
export { type EngineCertificates, makeEngineCertificates } from './certs.js';
export { type DockerdOptions, type RunningDockerd, startDockerd } from './dockerd.js';
export { processesMentioning, type RunningEngine } from './engine.js';
export { mountsUnder, unmountAllUnder } from './mounts.js';
export { type PodmanServiceOptions, type RunningPodmanService, startPodmanService } from './podman.js';
export { type KnownHostsOptions, type RunningSshd, type SshHomeOptions, startSshd } from './sshd.js';
export { EngineStartError } from './wait.js';
export { type DockerSaveSpec, writeDockerSaveArchive } from './docker-save.js';
