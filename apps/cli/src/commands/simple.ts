// The small commands: `delete IMAGE`, `manifest-digest FILE`, `plugins`. Flag definitions only.
import { type Command, Option } from 'commander';
import { addImageFlags } from '../options/image-flags.js';
import { addRetryFlags } from '../options/retry-flags.js';
import { appFor, type Runtime } from '../runtime.js';

export function addDeleteCommand(program: Command, runtime: Runtime): void {
  const command = program
    .command('delete')
    .summary('Delete image IMAGE-NAME')
    .description('Delete an "IMAGE-NAME" from a transport')
    .argument('<image>', 'the image to delete, as transport:reference');
  addImageFlags(command, '');
  addRetryFlags(command);
  command.action(async (image: string, opts: Record<string, unknown>, self: Command) => {
    const { runDelete } = await import('../run/delete.js');
    await runDelete(appFor(runtime, self), image, opts);
  });
}

export function addManifestDigestCommand(program: Command, runtime: Runtime): void {
  program
    .command('manifest-digest')
    .summary('Compute a manifest digest of a file')
    .description(
      'Compute the digest of a manifest file (the signatures of a signed schema 1 manifest are left out)',
    )
    .argument('<manifest-file>', 'the manifest file')
    .action(async (file: string, _opts: Record<string, unknown>, self: Command) => {
      const { runManifestDigest } = await import('../run/manifest-digest.js');
      await runManifestDigest(appFor(runtime, self), file);
    });
}

export function addPluginsCommand(program: Command, runtime: Runtime): void {
  program
    .command('plugins')
    .summary('List the transports found and the packages providing them')
    .description(
      'List the transports skopeo-ts found: explicit plugins (--plugin, SKOPEO_TS_PLUGINS, the config file), packages installed beside skopeo-ts and in the current project',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: Record<string, unknown>, self: Command) => {
      const { runPlugins } = await import('../run/plugins.js');
      await runPlugins(appFor(runtime, self), opts);
    });
}
