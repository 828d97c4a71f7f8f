import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { buildDiscriminator, buildGenerator, GAN_CONFIG } from './networks.ts';
import { GanTrainer } from './train-step.ts';
await initNodeWasm();
const B = Number(process.argv[2] ?? 64);
const cfg = { ...GAN_CONFIG, ...(process.argv[3] ? JSON.parse(process.argv[3]) : {}) } as typeof GAN_CONFIG;
const G = buildGenerator(cfg), D = buildDiscriminator(cfg);
console.log('G', G.countParams(), 'D', D.countParams());
const tr = new GanTrainer(G, D);
const r = () => ({ real: tf.randomUniform([B,32,32,3],-1,1) as tf.Tensor4D, phi: tf.randomNormal([B,64]) as tf.Tensor2D, phiWrong: tf.randomNormal([B,64]) as tf.Tensor2D, phiInt: tf.randomNormal([B,64]) as tf.Tensor2D, z: tf.randomNormal([B,32]) as tf.Tensor2D, zInt: tf.randomNormal([B,32]) as tf.Tensor2D });
const ts: number[] = [];
for (let i = 0; i < 8; i++) { const b = r(); const t = performance.now(); const l = tr.step(b); ts.push(performance.now() - t); tf.dispose(Object.values(b)); if (i===0) console.log(l); }
console.log('ms/step', ts.map(Math.round), 'tensors', tf.memory().numTensors);
const b = r();
const prof = await tf.profile(() => { tr.step(b); });
const agg = new Map<string, number>();
for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
console.log([...agg.entries()].sort((a,b)=>b[1]-a[1]).slice(0,15).map(([k,v])=>`${k}:${Math.round(v)}`).join(' '));
