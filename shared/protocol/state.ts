import { schema, t, type SchemaType } from '@colyseus/schema';

/**
 * The replicated state every client sees. It holds nothing a player could score
 * themselves with: no truths, no other players' answers before the reveal.
 */
export const PlayerState = schema(
  {
    id: t.string(),
    nickname: t.string(),
    score: t.number(),
    lastPoints: t.number(),
    rank: t.number(),
    connected: t.boolean(),
    answered: t.boolean(),
  },
  'PlayerState',
);
export type PlayerState = SchemaType<typeof PlayerState>;

export const GameState = schema(
  {
    code: t.string(),
    phase: t.string(),
    locked: t.boolean(),
    paused: t.boolean(),
    hostConnected: t.boolean(),
    /** 0-based index of the current round; -1 before the first. */
    round: t.number(),
    totalRounds: t.number(),
    roundType: t.string(),
    /** How long the current phase lasts in all (0 without a clock): timers draw from it. */
    phaseMs: t.number(),
    secondsLeft: t.number(),
    answeredCount: t.number(),
    /** Players who answer this round (generator players pick fakes instead). */
    answering: t.number(),
    maxPlayers: t.number(),
    /** The host's playlist as JSON, so every screen can show what is coming. */
    settings: t.string(),
    players: t.map(PlayerState),
  },
  'GameState',
);
export type GameState = SchemaType<typeof GameState>;
