// --retry-times and --retry-delay, declared on the commands that retry (inspect, copy, delete).
import { type Command, Option } from 'commander';
import { parseCount, parseGoDuration } from './go-flags.js';

export function addRetryFlags(command: Command): void {
  command
    .addOption(new Option('--retry-times <n>', 'the number of times to possibly retry').argParser(parseCount))
    .addOption(
      new Option(
        '--retry-delay <duration>',
        'fixed delay between retries (default: exponential backoff)',
      ).argParser(parseGoDuration),
    );
}
