// The registry commands: `list-tags IMAGE`, `login REGISTRY`, `logout REGISTRY|--all` as skopeo
// spells them, and `list-repos docker://HOST[/FILTER]` (beyond skopeo). Flag definitions only.
import { type Command, Option } from 'commander';
import { addImageFlags } from '../options/image-flags.js';
import { addRetryFlags } from '../options/retry-flags.js';
import { appFor, type Runtime } from '../runtime.js';

/** The registry flags of list-tags and list-repos (skopeo's imageFlags without the others). */
function addRegistryFlags(command: Command): void {
  addImageFlags(command, '');
  addRetryFlags(command);
}

export function addListTagsCommand(program: Command, runtime: Runtime): void {
  const command = program
    .command('list-tags')
    .summary('List tags in the transport/repository specified by the SOURCE-IMAGE')
    .description(
      'List the tags of a repository, e.g. docker://registry.example.com/repo (any transport that can list tags)',
    )
    .argument(
      '<source-image>',
      'the repository, without a tag or digest, e.g. docker://docker.io/library/busybox',
    );
  addRegistryFlags(command);
  command.addHelpText('after', '\nExample:\n  skopeo-ts list-tags docker://docker.io/fedora');
  command.action(async (image: string, opts: Record<string, unknown>, self: Command) => {
    const { runListTags } = await import('../run/list.js');
    await runListTags(appFor(runtime, self), image, opts);
  });
}

export function addListReposCommand(program: Command, runtime: Runtime): void {
  const command = program
    .command('list-repos')
    .summary('List the repositories of a registry (its catalog), optionally filtered')
    .description(
      'List the repositories in a registry\'s catalog (beyond skopeo); "docker://HOST/TEXT" keeps the repositories whose name contains TEXT',
    )
    .argument('<registry>', 'the registry, e.g. docker://registry.example.com:5000 or docker://HOST/filter');
  addRegistryFlags(command);
  command.addHelpText(
    'after',
    '\nExamples:\n  skopeo-ts list-repos docker://localhost:5000\n  skopeo-ts list-repos docker://localhost:5000/library',
  );
  command.action(async (location: string, opts: Record<string, unknown>, self: Command) => {
    const { runListRepos } = await import('../run/list.js');
    await runListRepos(appFor(runtime, self), location, opts);
  });
}

function addLoginFlags(command: Command): void {
  command
    .option(
      '--authfile <path>',
      'path of the authentication file (default: REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json)',
    )
    .option('--cert-dir <path>', 'use certificates at PATH (*.crt, *.cert, *.key) to connect to the registry')
    .option(
      '--tls-verify',
      'require HTTPS and verify certificates when contacting registries (--tls-verify=false to skip)',
    )
    .addOption(new Option('--no-tls-verify').hideHelp());
}

export function addLoginCommand(program: Command, runtime: Runtime): void {
  const command = program
    .command('login')
    .summary('Login to a container registry')
    .description(
      'Check USERNAME and PASSWORD against REGISTRY and store them in the auth file; REGISTRY may be host[:port][/namespace[/repo]]',
    )
    .argument('<registry>', 'the registry, e.g. registry.example.com:5000')
    .option('-u, --username <username>', 'username for the registry')
    .option(
      '-p, --password <password>',
      'password for the registry (visible in the process list: prefer --password-stdin)',
    )
    .option('--password-stdin', 'take the password from stdin')
    .option('--get-login', 'print the username stored for REGISTRY')
    .addOption(new Option('-v, --verbose', 'write more detailed information to stdout').hideHelp());
  addLoginFlags(command);
  command.addHelpText(
    'after',
    '\nExamples:\n  skopeo-ts login -u alice --password-stdin registry.example.com < password.txt\n  skopeo-ts login --get-login registry.example.com',
  );
  command.action(async (registry: string, opts: Record<string, unknown>, self: Command) => {
    const { runLogin } = await import('../run/login.js');
    await runLogin(appFor(runtime, self), registry, opts);
  });
}

export function addLogoutCommand(program: Command, runtime: Runtime): void {
  const command = program
    .command('logout')
    .summary('Logout of a container registry')
    .description('Remove the credentials stored for REGISTRY (or for every registry with --all)')
    .argument('[registry]', 'the registry, e.g. registry.example.com:5000')
    .option('-a, --all', 'remove the credentials of all registries in the auth file');
  addLoginFlags(command);
  command.action(async (registry: string | undefined, opts: Record<string, unknown>, self: Command) => {
    const { runLogout } = await import('../run/login.js');
    await runLogout(appFor(runtime, self), registry, opts);
  });
}
