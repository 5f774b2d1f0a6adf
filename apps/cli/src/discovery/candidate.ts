// A plugin package the CLI knows about, from its package.json (or an embedder's description),
// not yet imported.

export type CandidateSource =
  /** --plugin, SKOPEO_TS_PLUGINS or the config file; `via` says which. */
  | { kind: 'explicit'; via: string }
  /** Handed in by an embedding package through main(argv, { bundledPlugins }). */
  | { kind: 'bundled' }
  /** Found in a node_modules directory beside the CLI's install. */
  | { kind: 'cli-install' }
  /** Found in a node_modules directory of the current project. */
  | { kind: 'project' };

export interface PluginCandidate {
  packageName: string;
  /** "" when unknown (a bundled plugin described without its package.json). */
  packageVersion: string;
  /** undefined when unknown until loaded (bundled without package.json). */
  apiVersion: number | undefined;
  transports: readonly string[];
  firstParty: boolean;
  source: CandidateSource;
  /** The package directory, or "bundled". */
  location: string;
  /** Imports the package; resolves to its module namespace (or the plugin object). */
  load(): Promise<unknown>;
}

/** Lower wins when two packages claim one transport: explicit, bundled, first-party, third-party. */
export function precedence(candidate: PluginCandidate): number {
  if (candidate.source.kind === 'explicit') return 0;
  if (candidate.source.kind === 'bundled') return 1;
  return candidate.firstParty ? 2 : 3;
}

export function describeSource(candidate: PluginCandidate): string {
  switch (candidate.source.kind) {
    case 'explicit':
      return candidate.source.via;
    case 'bundled':
      return 'bundled';
    case 'cli-install':
      return 'beside the CLI';
    case 'project':
      return 'project';
  }
}
