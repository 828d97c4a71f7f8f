import '../scripts/check-node.mjs';
import { benchRoundPrepare } from './round-prepare.ts';
import { benchServerFanout } from './server-fanout.ts';

/** `npm run bench`: figures and ratios against baselines measured in the same run. */
benchRoundPrepare();
await benchServerFanout();
process.exit(0);
