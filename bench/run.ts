import '../scripts/check-node.mjs';
import { benchRoundPrepare } from './round-prepare.ts';
import { benchServerFanout } from './server-fanout.ts';
import { benchFpsLab } from './fps-lab.ts';

/** `npm run bench`: figures and ratios against baselines measured in the same run. */
benchRoundPrepare();
await benchServerFanout();
await benchFpsLab();
process.exit(0);
