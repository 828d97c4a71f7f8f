/**
 * Fast replacements for two convolution-gradient kernels on the TF.js `wasm` backend.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` (so no conv net can train) and its
 * `Conv2DBackpropInput` (the gradient of a conv w.r.t. its input, and the forward pass of
 * conv2dTranspose) is a slow scalar loop. Both are rewritten here as ordinary `Conv2D`
 * calls, which run on XNNPACK:
 *  - filter gradient: one dilated, stride-1 convolution over transposed tensors
 *    (x as [Ci, H, W, B] convolved with dy as a [OH, OW, B, Co] filter, dilation = stride);
 *  - input gradient: a stride-s transposed convolution splits into s×s output phases, each
 *    a stride-1 correlation of dy with a sub-filter. All phases share one combined filter
 *    (built in one JavaScript pass) and run as ONE conv2d whose output channels hold the
 *    s×s phases; a reshape/transpose interleaves them.
 * Nested ops inside a kernel are not recorded on the gradient tape (kernelDepth > 0).
 * Only NHWC (channelsLast) is supported, which is what tf.layers uses.
 */
import * as tf from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Hands a tensor made by nested ops back to the engine as a kernel output. */
function asOutput(backend: unknown, t: tf.Tensor): tf.TensorInfo {
  (backend as unknown as { incRef(id: object): void }).incRef(t.dataId);
  const info = { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
  t.dispose();
  return info;
}

/** dW = ∂L/∂filter for y = conv2d(x, W). */
function conv2dBackpropFilterImpl(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm replacement): NCHW unsupported');
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const [, h, w] = x.shape;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  return tf.tidy(() => {
    let pb = kh + sh * (oh - 1) - h - pt;
    let pr = kw + sw * (ow - 1) - w - pl;
    let xs: tf.Tensor4D = x;
    if (pb < 0 || pr < 0) {
      xs = tf.slice(x, [0, 0, 0, 0], [-1, h + Math.min(pb, 0), w + Math.min(pr, 0), -1]);
      pb = Math.max(pb, 0);
      pr = Math.max(pr, 0);
    }
    const xt = tf.transpose(xs, [3, 1, 2, 0]); // [Ci, H, W, B]
    const f = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, Co]
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ];
    const g = tf.conv2d(xt, f as tf.Tensor4D, 1, pad, 'NHWC', [sh, sw]); // [Ci, KH, KW, Co]
    return tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

interface PhasePlan {
  s: number;
  b0: number;
  jc: number;
  /** For phase p and combined tap u: the filter index k, or -1. */
  taps: Int32Array; // [s * jc]
}

function planAxis(k: number, s: number, pad: number): PhasePlan {
  const qs: number[] = [];
  const cs: number[] = [];
  let b0 = Infinity;
  let qmax = -Infinity;
  for (let ph = 0; ph < s; ph++) {
    const c = (ph + pad) % s;
    const q = Math.floor((ph + pad) / s);
    const j = c < k ? Math.ceil((k - c) / s) : 0;
    qs.push(q);
    cs.push(c);
    if (j > 0) {
      b0 = Math.min(b0, q - j + 1);
      qmax = Math.max(qmax, q);
    }
  }
  const jc = qmax - b0 + 1;
  const taps = new Int32Array(s * jc).fill(-1);
  for (let ph = 0; ph < s; ph++) {
    for (let u = 0; u < jc; u++) {
      const j = qs[ph]! - b0 - u;
      const kk = s * j + cs[ph]!;
      if (j >= 0 && kk < k) taps[ph * jc + u] = kk;
    }
  }
  return { s, b0, jc, taps };
}

/** dx = ∂L/∂x for y = conv2d(x, W) (also the forward pass of conv2dTranspose). */
function conv2dBackpropInputImpl(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput (wasm replacement): NCHW unsupported');
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const [b, h, w, ci] = inputShape;
  const [kh, kw, , co] = filter.shape;
  const { outHeight: oh, outWidth: ow } = info;
  const ph = planAxis(kh, info.strideHeight, info.padInfo.top);
  const pw = planAxis(kw, info.strideWidth, info.padInfo.left);
  const sh = ph.s;
  const sw = pw.s;
  const nOut = sh * sw * ci;
  // Combined filter [jch, jcw, co, (phh*sw + phw)*ci + c] from W [kh, kw, ci, co].
  const wv = filter.dataSync();
  const comb = new Float32Array(ph.jc * pw.jc * co * nOut);
  for (let a = 0; a < sh; a++) {
    for (let uh = 0; uh < ph.jc; uh++) {
      const kH = ph.taps[a * ph.jc + uh]!;
      if (kH < 0) continue;
      for (let bb = 0; bb < sw; bb++) {
        for (let uw = 0; uw < pw.jc; uw++) {
          const kW = pw.taps[bb * pw.jc + uw]!;
          if (kW < 0) continue;
          const outBase = (a * sw + bb) * ci;
          for (let c = 0; c < ci; c++) {
            const src = ((kH * kw + kW) * ci + c) * co;
            for (let o = 0; o < co; o++) {
              comb[((uh * pw.jc + uw) * co + o) * nOut + outBase + c] = wv[src + o]!;
            }
          }
        }
      }
    }
  }
  const mh = Math.ceil(h / sh);
  const mw = Math.ceil(w / sw);
  return tf.tidy(() => {
    let d: tf.Tensor4D = dy;
    const cropT = Math.max(ph.b0, 0);
    const cropL = Math.max(pw.b0, 0);
    if (cropT > 0 || cropL > 0) d = tf.slice(d, [0, cropT, cropL, 0], [-1, oh - cropT, ow - cropL, -1]);
    const padT = Math.max(-ph.b0, 0);
    const padL = Math.max(-pw.b0, 0);
    const padB = Math.max(0, mh + ph.b0 + ph.jc - 1 - oh);
    const padR = Math.max(0, mw + pw.b0 + pw.jc - 1 - ow);
    const f = tf.tensor4d(comb, [ph.jc, pw.jc, co, nOut]);
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [padT, padB],
      [padL, padR],
      [0, 0],
    ];
    let y = tf.conv2d(d, f, 1, pad) as tf.Tensor4D; // [B, >=mh, >=mw, sh*sw*ci]
    if (y.shape[1] !== mh || y.shape[2] !== mw) y = tf.slice(y, [0, 0, 0, 0], [-1, mh, mw, -1]);
    if (sh === 1 && sw === 1) return y;
    const z = tf.reshape(tf.transpose(tf.reshape(y, [b, mh, mw, sh, sw, ci]), [0, 1, 3, 2, 4, 5]), [b, mh * sh, mw * sw, ci]);
    return (mh * sh === h && mw * sw === w ? z : tf.slice(z, [0, 0, 0, 0], [-1, h, w, -1])) as tf.Tensor4D;
  });
}

/**
 * Wraps a kernel input as a Tensor for nested ops. makeTensorFromTensorInfo does not add a
 * backend reference, but disposing the wrapper drops one: add it first.
 */
function wrapInput(backend: unknown, info: tf.TensorInfo): tf.Tensor4D {
  (backend as unknown as { incRef(id: object): void }).incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend as tf.KernelBackend) as tf.Tensor4D;
}

/**
 * UnsortedSegmentSum (the gradient of gather, hence of tf.layers.embedding) is missing on
 * wasm: out[s] = Σ_{i: ids[i] = s} x[i], computed as oneHot(ids)ᵀ · x (small vocabularies).
 */
function unsortedSegmentSumImpl(x: tf.Tensor, ids: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const n = ids.size;
    const rest = x.shape.slice(ids.rank);
    const flat = tf.reshape(x, [n, rest.reduce((a, b) => a * b, 1)]);
    const oh = tf.oneHot(tf.cast(tf.reshape(ids, [n]), 'int32'), numSegments); // [N, S]
    return tf.reshape(tf.matMul(tf.cast(oh, x.dtype), flat, true, false), [numSegments, ...rest]);
  });
}

function registerUnsortedSegmentSum(): void {
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const xt = wrapInput(backend, x) as unknown as tf.Tensor;
      const it = wrapInput(backend, segmentIds) as unknown as tf.Tensor;
      try {
        return asOutput(backend, unsortedSegmentSumImpl(xt, it, (attrs as unknown as { numSegments: number }).numSegments));
      } finally {
        xt.dispose();
        it.dispose();
      }
    },
  });
}

let registered = false;

/** Registers both kernels for `wasm` (idempotent). Call after importing the wasm backend. */
export function registerWasmConvKernels(): void {
  if (registered) return;
  registered = true;
  for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'UnsortedSegmentSum']) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  registerUnsortedSegmentSum();
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
      const xt = wrapInput(backend, x);
      const dyt = wrapInput(backend, dy);
      try {
        return asOutput(backend, conv2dBackpropFilterImpl(xt, dyt, a.filterShape, a));
      } finally {
        xt.dispose();
        dyt.dispose();
      }
    },
  });
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
      const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
      const dyt = wrapInput(backend, dy);
      const ft = wrapInput(backend, filter);
      try {
        return asOutput(backend, conv2dBackpropInputImpl(dyt, ft, a.inputShape, a));
      } finally {
        dyt.dispose();
        ft.dispose();
      }
    },
  });
}
