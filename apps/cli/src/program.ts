// The command tree: skopeo's global flags and the commands. Commands only declare flags here;
// their code is imported when they run, so `--version` and `--help` load almost nothing.
import { Command, Option } from 'commander';
import { addCopyCommand } from './commands/copy.js';
import { addInspectCommand } from './commands/inspect.js';
import {
  addListReposCommand,
  addListTagsCommand,
  addLoginCommand,
  addLogoutCommand,
} from './commands/registry.js';
import { addDeleteCommand, addManifestDigestCommand, addPluginsCommand } from './commands/simple.js';
import { collect, parseGoDuration } from './options/go-flags.js';

export { CommanderError } from 'commander';
export { rewriteGoBooleans } from './options/go-flags.js';
import type { Runtime } from './runtime.js';

/** Each command's name (and alias) with the function that declares it. */
const COMMANDS: ReadonlyArray<{
  names: readonly string[];
  add: (program: Command, runtime: Runtime) => void;
}> = [
  { names: ['copy'], add: addCopyCommand },
  { names: ['delete'], add: addDeleteCommand },
  { names: ['inspect'], add: addInspectCommand },
  { names: ['list-repos'], add: addListReposCommand },
  { names: ['list-tags'], add: addListTagsCommand },
  { names: ['login'], add: addLoginCommand },
  { names: ['logout'], add: addLogoutCommand },
  { names: ['manifest-digest'], add: addManifestDigestCommand },
  { names: ['plugins'], add: addPluginsCommand },
];

/** Global flags that take a value in the next argument (unless written `--flag=value`). */
const GLOBAL_FLAGS_WITH_VALUES = new Set([
  '--policy',
  '--registries.d',
  '--registries-conf',
  '--override-arch',
  '--override-os',
  '--override-variant',
  '--tmpdir',
  '--command-timeout',
  '--user-agent-prefix',
  '--plugin',
]);

/** The command word in `argv` (the first argument that is not a global flag or its value). */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (GLOBAL_FLAGS_WITH_VALUES.has(arg)) i++;
  }
  return undefined;
}

/**
 * The command tree. With `argv`, only the command it names is declared (building every command's
 * flags costs start-up time); help, errors and unknown commands get the whole tree.
 */
export function buildProgram(runtime: Runtime, argv?: readonly string[]): Command {
  const { stdout, stderr } = runtime.io;
  const program = new Command('skopeo-ts')
    .description('Various operations with container images and container image registries')
    .version(runtime.versionText, '-v, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      outputError: (text, write) => write(`skopeo-ts: ${text}`),
      getOutHelpWidth: () => stdout.columns ?? 100,
      getErrHelpWidth: () => stderr.columns ?? 100,
    })
    .showSuggestionAfterError(true)
    .option('--debug', 'enable debug output')
    .option('--insecure-policy', 'run the tool without any policy check')
    .option('--policy <path>', 'path to a trust policy file (accepted; policies are not checked yet)')
    .option(
      '--registries.d <dir>',
      'use registry configuration files in DIR (e.g. for container signature storage)',
    )
    .addOption(new Option('--registries-conf <path>', 'path to the registries.conf file').hideHelp())
    .option(
      '--override-arch <arch>',
      'use ARCH instead of the architecture of the machine for choosing images',
    )
    .option('--override-os <os>', 'use OS instead of the running OS for choosing images')
    .option(
      '--override-variant <variant>',
      'use VARIANT instead of the running architecture variant for choosing images',
    )
    .option('--tmpdir <dir>', 'directory used to store temporary files')
    .addOption(
      new Option('--command-timeout <duration>', 'timeout for the command execution').argParser(
        parseGoDuration,
      ),
    )
    .option('--user-agent-prefix <prefix>', 'prefix to add to the user agent string')
    .option(
      '--plugin <package-or-path>',
      'use this transport plugin package (a name or a path; repeatable; also SKOPEO_TS_PLUGINS)',
      collect,
      [],
    );
  const word = argv === undefined ? undefined : commandWord(argv);
  const wanted = word === undefined ? undefined : COMMANDS.find((command) => command.names.includes(word));
  for (const command of wanted === undefined ? COMMANDS : [wanted]) command.add(program, runtime);
  return program;
}

/** Boolean flags of every command, for `--flag=false` rewriting. */
export function booleanFlags(program: Command): { booleans: Set<string>; negatable: Set<string> } {
  const booleans = new Set<string>();
  const negatable = new Set<string>();
  for (const command of [program, ...program.commands]) {
    for (const option of command.options) {
      if (option.required || option.optional || option.long === undefined) continue;
      const name = option.long.slice(2);
      if (option.negate) {
        const positive = name.slice(3);
        booleans.add(positive);
        negatable.add(positive);
      } else {
        booleans.add(name);
      }
    }
  }
  return { booleans, negatable };
}
