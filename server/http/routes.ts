import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Application, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import QRCode from 'qrcode';
import { normalizeJoinCode } from '../../shared/game/lobby-rules.ts';
import { ERRORS, type ErrorCode } from '../../shared/protocol/errors.ts';
import { PROJECT_ROOT } from '../config.ts';
import { lobbyRegistry } from '../rooms/lobby-registry.ts';
import type { ResultsStore } from '../store/results-store.ts';
import { resultsToCsv } from './report-csv.ts';

interface RouteOptions {
  store: ResultsStore;
  clientDir: string;
  joinBaseUrl: () => string;
  /** Lobby look-ups (code, QR, report) one address may make per minute. */
  lookupsPerMinute: number;
}

function fail(res: Response, status: number, code: ErrorCode, message: string = ERRORS[code]): void {
  res.status(status).json({ error: { code, message } });
}

/** Reads the :code parameter the way people type codes; null (and a 400) when malformed. */
function codeParam(req: Request, res: Response): string | null {
  const code = normalizeJoinCode(String(req.params.code ?? ''));
  if (!code) fail(res, 400, 'no_such_lobby', 'A class code has 6 letters and digits.');
  return code;
}

export function installRoutes(app: Application, options: RouteOptions): void {
  const { store } = options;
  app.disable('x-powered-by');

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/api/config', (_req, res) => {
    res.json({ joinBaseUrl: options.joinBaseUrl() });
  });

  // Codes are short: guessing them at machine speed is what this stops. A class behind one
  // school NAT shares an address, so the limit is well above a class's own look-ups.
  app.use(
    '/api/lobbies',
    rateLimit({
      windowMs: 60_000,
      limit: options.lookupsPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => fail(res, 429, 'too_many_requests'),
    }),
  );

  app.get('/api/lobbies/:code', (req, res) => {
    const code = codeParam(req, res);
    if (!code) return;
    const info = lobbyRegistry.info(code);
    if (!info) return fail(res, 404, 'no_such_lobby');
    res.json(info);
  });

  app.get('/api/lobbies/:code/qr.svg', async (req, res) => {
    const code = codeParam(req, res);
    if (!code) return;
    if (!lobbyRegistry.has(code)) return fail(res, 404, 'no_such_lobby');
    const svg = await QRCode.toString(`${options.joinBaseUrl()}/join/${code}`, {
      type: 'svg',
      margin: 2,
      errorCorrectionLevel: 'M',
      color: { dark: '#101426', light: '#ffffff' },
    });
    res.type('image/svg+xml').set('Cache-Control', 'no-store').send(svg);
  });

  // POST, with the host secret in the body: a secret in a URL ends up in histories and logs.
  app.post('/api/lobbies/:code/report.csv', express.urlencoded({ extended: false, limit: '1kb' }), (req, res) => {
    const code = codeParam(req, res);
    if (!code) return;
    const body: unknown = req.body;
    const key = body && typeof body === 'object' && 'key' in body && typeof body.key === 'string' ? body.key : '';
    if (!store.codeExists(code)) return fail(res, 404, 'no_such_lobby', 'No stored game with that code.');
    if (!store.checkHostSecret(code, key)) return fail(res, 403, 'bad_host_secret');
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="latent-arena-${code}.csv"`)
      .send(resultsToCsv(store.results(code)));
  });

  app.use('/api', (_req, res) => fail(res, 404, 'unknown_message', 'No such API endpoint.'));

  // TF.js's WASM backend fetches its binaries at run time; serve exactly those files.
  const wasmDir = resolve(PROJECT_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  app.use('/wasm', (req, res, next) => (/^\/[\w.-]+\.wasm$/.test(req.path) ? next() : res.status(404).end()), express.static(wasmDir, { index: false, maxAge: '1d' }));
  app.use('/models', express.static(resolve(PROJECT_ROOT, 'models/weights'), { index: false, maxAge: '1h' }));

  const indexHtml = join(options.clientDir, 'index.html');
  app.use(express.static(options.clientDir, { index: false, maxAge: '1h' }));
  // The client routes (/host/CODE, /join/CODE, /play/CODE, /solo, /notes) are all the same page.
  const sendIndex = (_req: Request, res: Response) => {
    if (!existsSync(indexHtml)) {
      res.status(503).type('text/plain').send('The client is not built yet: run `npm run build` (npm start does it for you).');
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(indexHtml);
  };
  app.get('/', sendIndex);
  app.get(/^\/(host|join|play|solo|notes)(\/.*)?$/, sendIndex);
}
