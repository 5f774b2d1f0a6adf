#!/usr/bin/env node
// The `skopeo-ts` bin of the batteries-included package: @skopeo-ts/cli's command with every
// first-party transport bundled, and the CLI's process wiring (runBin: Ctrl-C aborts, a second
// one exits; a closed pipe exits 141; output is flushed before exit).
import { runBin } from '@skopeo-ts/cli';
import { main } from './index.js';

await runBin({ main });
