#!/usr/bin/env node
// The `skopeo-ts` bin: signals, broken pipes and exit status are runBin's (shared with the bins of
// embedding packages such as the batteries-included `skopeo-ts`).
import { runBin } from './run-bin.js';

await runBin();
