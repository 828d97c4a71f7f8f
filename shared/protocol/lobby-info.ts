/** What `GET /api/lobbies/:code` answers: enough to refuse a join clearly before the WebSocket. */
export interface LobbyInfo {
  code: string;
  locked: boolean;
  full: boolean;
  players: number;
  maxPlayers: number;
  phase: string;
}
