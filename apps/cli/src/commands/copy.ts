// `copy SOURCE DESTINATION`: flag definitions only; the work is imported when the command runs.
import { type Command, Option } from 'commander';
import { collect, parseCount } from '../options/go-flags.js';
import { addDestinationFlags, addImageFlags } from '../options/image-flags.js';
import { addRetryFlags } from '../options/retry-flags.js';
import { appFor, type Runtime } from '../runtime.js';

export function addCopyCommand(program: Command, runtime: Runtime): void {
  const command = program
    .command('copy')
    .summary('Copy an IMAGE-NAME from one location to another')
    .description(
      'Copy an image from one location to another; "IMAGE-NAME" uses a "transport":"details" format',
    )
    .argument('<source-image>', 'where to copy from, e.g. oci:/path:tag')
    .argument('<destination-image>', 'where to copy to, e.g. dir:/path')
    .argument(
      '[more-images...]',
      'beyond skopeo: SRC1 SRC2 ... DEST copies several images into one destination that holds several (docker-archive:)',
    );
  command.option('--authfile <path>', 'path of the registry credentials file (default: REGISTRY_AUTH_FILE)');
  addImageFlags(command, 'src-');
  addImageFlags(command, 'dest-');
  addDestinationFlags(command);
  addRetryFlags(command);
  command
    .option('-q, --quiet', 'suppress output information when copying images')
    .option('-a, --all', 'copy all images if SOURCE-IMAGE is a list')
    .addOption(
      new Option('--multi-arch <which>', 'how to handle multi-architecture images').choices([
        'system',
        'all',
        'index-only',
      ]),
    )
    .option('-f, --format <manifest-type>', 'MANIFEST TYPE (oci, v2s1, or v2s2) to use in the destination')
    .option('--preserve-digests', 'preserve digests of images and lists')
    .option('--remove-signatures', 'do not copy signatures from the source')
    .option('--digestfile <path>', 'write the digest of the pushed image to the specified file')
    .addOption(
      new Option(
        '--image-parallel-copies <n>',
        'maximum number of image layers copied at once (default 6)',
      ).argParser(parseCount),
    )
    .addOption(
      new Option(
        '--progress <mode>',
        'progress output on stderr: auto (bars on a terminal), tty, plain, json',
      )
        .choices(['auto', 'tty', 'plain', 'json'])
        .default('auto'),
    )
    // Accepted so that skopeo command lines fail clearly instead of with "unknown option".
    .addOption(new Option('--sign-by <fingerprint>').hideHelp())
    .addOption(new Option('--sign-by-sq-fingerprint <fingerprint>').hideHelp())
    .addOption(new Option('--sign-by-sigstore <path>').hideHelp())
    .addOption(new Option('--sign-by-sigstore-private-key <path>').hideHelp())
    .addOption(new Option('--sign-passphrase-file <path>').hideHelp())
    .addOption(new Option('--sign-identity <reference>').hideHelp())
    .addOption(new Option('--encryption-key <key>').hideHelp())
    .addOption(new Option('--encrypt-layer <index>').hideHelp())
    .addOption(new Option('--decryption-key <key>').hideHelp())
    .option('--additional-tag <tag>', 'additional tags (supports docker-archive)', collect);
  command.addHelpText(
    'after',
    '\nProgress and messages go to stderr; stdout stays clean.\n\nExamples:\n  skopeo-ts copy oci:/path/layout:tag dir:/path/out\n  skopeo-ts copy docker://quay.io/a/b:1 oci:/path/c:1 docker-archive:/tmp/both.tar',
  );
  command.action(
    async (first: string, second: string, more: string[], opts: Record<string, unknown>, self: Command) => {
      const images = [first, second, ...more];
      const destination = images.pop() as string;
      const { runCopy } = await import('../run/copy.js');
      await runCopy(appFor(runtime, self), images, destination, opts);
    },
  );
}
