import '../scripts/check-node.mjs';
import { benchRoundPrepare } from './round-prepare.ts';
import { benchServerFanout } from './server-fanout.ts';
import { benchFpsLab } from './fps-lab.ts';
import { benchFpsBlend } from './fps-blend.ts';

/** `npm run bench`: figures and ratios against baselines measured in the same run. */
benchRoundPrepare();
await benchServerFanout();
await benchFpsLab();
await benchFpsBlend();
process.exit(0);
