/**
 * A worker thread that answers one request at a time: the gradient workers of the
 * ε-network (diffusion/parallel.ts) and of the GAN (gan/parallel.ts). Its script posts
 * {ready: true} (or {error}) once it is set up, then one reply per request, {error} when a
 * request failed. Requests carry the weights as a transferred buffer, not a copy.
 */
import { Worker } from 'node:worker_threads';

export class RequestWorker<Req, Reply extends object> {
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;

  private readonly worker: Worker;

  private readonly label: string;

  private constructor(worker: Worker, label: string) {
    this.worker = worker;
    this.label = label;
    worker.on('message', (m: Reply | { error: string }) => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if ('error' in m) p.reject(new Error(`${label}: ${m.error}`));
      else p.resolve(m);
    });
    worker.on('error', (e) => {
      this.pending?.reject(e);
      this.pending = null;
    });
  }

  /** Starts `script` with `init` as its workerData; resolves once it says it is ready. */
  static start<Req, Reply extends object>(script: URL, init: unknown, label: string): Promise<RequestWorker<Req, Reply>> {
    const worker = new Worker(script, { workerData: init });
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      worker.once('error', onError);
      worker.once('message', (m: { ready?: boolean; error?: string }) => {
        worker.off('error', onError);
        if (m.ready) resolve(new RequestWorker<Req, Reply>(worker, label));
        else reject(new Error(`${label}: ${m.error ?? 'unexpected first message'}`));
      });
    });
  }

  /** Sends the request at once (transferring `transfer`); the reply arrives while the caller works on. */
  request(req: Req, transfer: ArrayBuffer[]): Promise<Reply> {
    if (this.pending) throw new Error(`${this.label}: one request at a time`);
    const p = new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    this.worker.postMessage(req, transfer);
    return p;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
