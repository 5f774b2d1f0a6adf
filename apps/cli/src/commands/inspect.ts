// `inspect IMAGE`: flag definitions only; the work is imported when the command runs.
import type { Command } from 'commander';
import { addImageFlags } from '../options/image-flags.js';
import { addRetryFlags } from '../options/retry-flags.js';
import { appFor, type Runtime } from '../runtime.js';

export function addInspectCommand(program: Command, runtime: Runtime): void {
  const command = program
    .command('inspect')
    .summary('Inspect image IMAGE-NAME')
    .description('Return low-level information about "IMAGE-NAME" in a registry/transport')
    .argument('<image>', 'the image, as transport:reference (e.g. oci:/path:tag)')
    .option('--raw', 'output raw manifest or configuration')
    .option('--config', 'output configuration')
    .option('-f, --format <format>', 'format the output to a Go template')
    .option('-n, --no-tags', 'do not list the available tags from the repository in the output')
    .option(
      '--manifest-digest <algorithm>',
      'algorithm for the manifest digest (sha256, sha512; default: that of the config digest)',
    );
  addImageFlags(command, '');
  addRetryFlags(command);
  command.addHelpText(
    'after',
    '\nExamples:\n  skopeo-ts inspect oci:/path/to/layout:tag\n  skopeo-ts inspect --config dir:/path/to/image\n  skopeo-ts inspect --format "Name: {{.Name}} Digest: {{.Digest}}" oci:/layout:tag',
  );
  command.action(async (image: string, opts: Record<string, unknown>, self: Command) => {
    const { runInspect } = await import('../run/inspect.js');
    await runInspect(appFor(runtime, self), image, opts);
  });
}
