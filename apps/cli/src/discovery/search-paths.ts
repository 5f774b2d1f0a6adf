// Where installed plugins live: the node_modules directories beside the CLI's own install (every
// ancestor of its file, so a global `npm i -g` prefix works) and those of the current project
// (cwd and its ancestors). pnpm's virtual store (node_modules/.pnpm) is never searched: it holds
// every version of everything, not what the user installed.
import { basename, dirname, join, sep } from 'node:path';

const VIRTUAL_STORE = `${sep}node_modules${sep}.pnpm${sep}`;

function insideVirtualStore(path: string): boolean {
  return `${path}${sep}`.includes(VIRTUAL_STORE);
}

/** The node_modules directories Node would search from `startDir`, nearest first. */
export function nodeModulesChain(startDir: string): string[] {
  const chain: string[] = [];
  let dir = startDir;
  for (;;) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules');
      if (!insideVirtualStore(candidate)) chain.push(candidate);
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return chain;
}

export interface SearchDirectory {
  path: string;
  /** Beside the CLI's install, or in the project the command runs in. */
  origin: 'cli-install' | 'project';
}

/** CLI install directories first (what was installed with it), then the project's; no repeats. */
export function searchDirectories(cliDir: string, cwd: string): SearchDirectory[] {
  const seen = new Set<string>();
  const out: SearchDirectory[] = [];
  const add = (paths: string[], origin: SearchDirectory['origin']) => {
    for (const path of paths) {
      if (seen.has(path)) continue;
      seen.add(path);
      out.push({ path, origin });
    }
  };
  add(nodeModulesChain(cliDir), 'cli-install');
  add(nodeModulesChain(cwd), 'project');
  return out;
}
