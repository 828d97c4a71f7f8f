import type { LobbyInfo } from '../../shared/protocol/lobby-info.ts';

export type { LobbyInfo };

interface LobbyHandle {
  info(): LobbyInfo;
}

/** Live lobbies by join code, for the HTTP look-ups that come before a WebSocket join. */
const lobbies = new Map<string, LobbyHandle>();

export const lobbyRegistry = {
  add(code: string, lobby: LobbyHandle): void {
    lobbies.set(code, lobby);
  },
  remove(code: string): void {
    lobbies.delete(code);
  },
  has(code: string): boolean {
    return lobbies.has(code);
  },
  get size(): number {
    return lobbies.size;
  },
  info(code: string): LobbyInfo | null {
    return lobbies.get(code)?.info() ?? null;
  },
};
