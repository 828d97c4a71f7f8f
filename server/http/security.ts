import { matchMaker } from '@colyseus/core';
import type { Application } from 'express';
import helmet from 'helmet';

/**
 * Security headers for every page and API answer. The Content-Security-Policy is what the
 * client needs and no more: its own scripts, plus compiling WebAssembly (TF.js's WASM
 * backend); inline style attributes (the DOM panels set a few); images from canvases
 * (data:, blob:); the WebSocket and fetches to this server only. No upgrade to https: a
 * classroom server often runs on plain http on the school's network.
 */
export function installSecurityHeaders(app: Application): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          workerSrc: ["'self'", 'blob:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'self'"],
        },
      },
      // Plain http on a LAN is the common case; HSTS there would be ignored or, behind a
      // proxy that later drops https, lock a school out of its own server.
      strictTransportSecurity: false,
    }),
  );
}

/**
 * Colyseus's matchmaker answers every origin with credentials by default. Here only pages
 * served by this machine may call it across origins (the Vite dev server on another
 * port); a page elsewhere gets no CORS headers, so the browser keeps its reads to itself.
 */
export function restrictMatchmakerCors(): void {
  const defaults: Record<string, string> = matchMaker.controller.DEFAULT_CORS_HEADERS;
  delete defaults['Access-Control-Allow-Origin'];
  delete defaults['Access-Control-Allow-Credentials'];
  matchMaker.controller.getCorsHeaders = (headers: Headers): Record<string, string> => {
    const origin = headers.get('origin');
    const host = headers.get('host');
    if (!origin || !host || !sameMachine(origin, host)) return {};
    return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' };
  };
}

function sameMachine(origin: string, host: string): boolean {
  try {
    return new URL(origin).hostname === new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
}
