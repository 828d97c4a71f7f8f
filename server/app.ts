import type { AddressInfo } from 'node:net';
import { matchMaker, Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { MAX_PAYLOAD_BYTES, ROOM_NAME } from '../shared/protocol/messages.ts';
import { configFromEnv, guessJoinBaseUrl, type ServerConfig } from './config.ts';
import { installRoutes } from './http/routes.ts';
import { installSecurityHeaders, restrictMatchmakerCors } from './http/security.ts';
import { createLogger } from './logger.ts';
import { ClassRoom, RESTORE_KEY } from './rooms/class-room.ts';
import { lobbyRegistry } from './rooms/lobby-registry.ts';
import { guardMatchmaking } from './rooms/matchmaking-guard.ts';
import { setRoomContext } from './rooms/room-context.ts';
import { lazyServerModels } from './render/server-models.ts';
import { ResultsStore } from './store/results-store.ts';

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP + WebSocket server. Tests pass `port: 0` and a temporary data dir. */
export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const config: ServerConfig = { ...configFromEnv(), ...overrides };
  const log = createLogger(config.quiet);
  const store = new ResultsStore(config.dataDir);
  setRoomContext({
    store,
    maxPlayers: config.maxPlayers,
    log,
    models: lazyServerModels(config.weightsDir),
    renderDeadlineMs: config.renderDeadlineMs,
    generatorPickMs: config.generatorPickMs,
    reconnectSeconds: config.reconnectSeconds,
    floodCooldownMs: config.floodCooldownMs,
  });

  restrictMatchmakerCors();
  const unguard = guardMatchmaking(
    { createsPerMinute: config.lobbyCreatesPerMinute, joinsPerMinute: config.joinsPerMinute, maxLobbies: config.maxLobbies },
    () => lobbyRegistry.size,
  );
  let port = config.port;
  const transport = new WebSocketTransport({ maxPayload: MAX_PAYLOAD_BYTES });
  const server = new Server({
    transport,
    greet: false,
    express: (app) => {
      installSecurityHeaders(app);
      installRoutes(app, {
        store,
        clientDir: config.clientDir,
        joinBaseUrl: () => config.publicUrl ?? guessJoinBaseUrl(port),
        lookupsPerMinute: config.joinsPerMinute,
      });
    },
  });
  server.define(ROOM_NAME, ClassRoom);
  await server.listen(config.port);
  port = (transport.server!.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  log.info({ url, join: config.publicUrl ?? guessJoinBaseUrl(port) }, 'Latent Arena is running');
  // Lobbies the previous process left live (a crash, a restart): their classes take their seats back by code.
  for (const code of store.liveLobbyCodes()) {
    try {
      await matchMaker.createRoom(ROOM_NAME, { restore: code, restoreKey: RESTORE_KEY });
    } catch (err) {
      log.warn({ err, code }, 'a saved lobby could not be restored');
      store.dropLobby(code);
    }
  }

  return {
    port,
    url,
    async close() {
      await server.gracefullyShutdown(false);
      unguard();
      setRoomContext(null);
      store.close();
    },
  };
}
