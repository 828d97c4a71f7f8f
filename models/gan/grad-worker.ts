/**
 * A worker thread that computes GAN gradients on one half of each batch (parallel.ts), so a
 * GAN run uses both cores: TF.js turns wasm multithreading off under Node. It builds the
 * same networks and trainer as the main thread (weights arrive with every request).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { loadModel } from '../tf/fs.ts';
import { flatten } from '../tf/flat.ts';
import { buildDiscriminator, buildGenerator } from './networks.ts';
import { GanTrainer, buildBgCritic, buildClassHead, buildShapeCritic } from './train-step.ts';
import { freezeAllButBackground } from './freeze.ts';
import { fromPlain, networksOf, setNetworkWeights, type GanGradReply, type GanGradRequest, type GanWorkerInit } from './parallel.ts';

const init = workerData as GanWorkerInit;
try {
  await initNodeWasm();
  const G = buildGenerator(init.gCfg);
  const D = buildDiscriminator(init.dCfg);
  if (init.gTrains === 'background') freezeAllButBackground(G);
  let guide = null;
  if (init.guide) {
    const { model: imageEncoder } = await loadModel(init.guide.encoderDir);
    imageEncoder.trainable = false;
    const captionEmb = tf.tensor2d(init.phiTable, [init.phiTable.length / 64, 64]);
    guide = { imageEncoder, captionEmb, logScale: init.guide.logScale, weight: init.guide.weight, margin: init.guide.margin, modeSeeking: 0 };
  }
  const classes = init.classes ? { C: buildClassHead(init.classes.groups), ...init.classes } : null;
  const critic = init.critic ? { K: buildBgCritic(init.critic.groups), ...init.critic } : null;
  const shape = init.shape ? { M: buildShapeCritic(), ...init.shape } : null;
  const tr = new GanTrainer(G, D, undefined, guide, null, classes, critic, shape);
  const nets = networksOf(tr);

  parentPort!.on('message', (req: GanGradRequest) => {
    try {
      setNetworkWeights(nets, req.weights);
      const b = fromPlain(req.batch);
      let reply: GanGradReply;
      if (req.phase === 'd') {
        const r = tr.dGradients(b);
        reply = { d: flatten(r.d), k: r.k ? flatten(r.k) : null, losses: { ...r.losses } };
        tf.dispose([...r.d, ...(r.k ?? [])]);
      } else {
        const r = tr.gGradients(b);
        reply = { g: flatten(r.g), losses: { ...r.losses } };
        tf.dispose(r.g);
      }
      tf.dispose(Object.values(b) as tf.Tensor[]);
      const buffers = 'd' in reply ? [reply.d, ...(reply.k ? [reply.k] : [])] : 'g' in reply ? [reply.g] : [];
      parentPort!.postMessage(
        reply,
        buffers.map((x) => x.buffer as ArrayBuffer),
      );
    } catch (e) {
      const reply: GanGradReply = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
      parentPort!.postMessage(reply);
    }
  });
  parentPort!.postMessage({ ready: true });
} catch (e) {
  parentPort!.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
