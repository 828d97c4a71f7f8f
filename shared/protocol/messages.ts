import { z } from 'zod';
import { NICKNAME_MAX } from '../game/lobby-rules.ts';
import { gameSettingsSchema } from '../game/settings.ts';
import { MAX_STARS, MIN_STARS, type QuestionPayload, type RatingsPayload, type RevealPayload } from '../game/engine.ts';
import type { ErrorMessage } from './errors.ts';
import type { RenderRecipe } from '../render/recipes.ts';
import type { RoundType } from '../rounds/registry.ts';

/** The room's name on the Colyseus server. */
export const ROOM_NAME = 'class';
/** A client may send at most this many messages a second; more disconnects it. */
export const MAX_MESSAGES_PER_SECOND = 20;
/** Biggest WebSocket frame the server accepts (render uploads later are a few KB). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const playerId = z.string().min(1).max(64);
const nothing = z.union([z.undefined(), z.null(), z.object({}).strict()]);

/** Client → server messages and their validation. */
export const CLIENT_MESSAGES = {
  answer: z.object({ round: z.number().int().min(0), answer: z.unknown() }).strict(),
  /** A player's stars for another player's answer, during the reveal of a rated round (Noise lab 'sample'). */
  rate: z.object({ round: z.number().int().min(0), playerId, stars: z.number().int().min(MIN_STARS).max(MAX_STARS) }).strict(),
  'host:settings': gameSettingsSchema,
  'host:lock': z.object({ locked: z.boolean() }).strict(),
  'host:kick': z.object({ playerId }).strict(),
  /** Lets a removed student join again (by the name they were removed under). */
  'host:readmit': z.object({ nickname: z.string().max(NICKNAME_MAX * 4) }).strict(),
  'host:rename': z.object({ playerId, nickname: z.string().max(NICKNAME_MAX * 4) }).strict(),
  'host:start': nothing,
  'host:pause': z.object({ paused: z.boolean() }).strict(),
  'host:skip': nothing,
  'host:end': nothing,
  /** A generator player picks which candidate z becomes their fake. */
  'gen:pick': z.object({ slot: z.number().int().min(0).max(16), candidate: z.number().int().min(0).max(16) }).strict(),
  /** A device offers to render fakes: its measured backend and speed (ms per image). */
  'render:ready': z.object({ backend: z.string().max(16), msPerImage: z.number().positive().max(60_000), volunteer: z.boolean() }).strict(),
  /** Pixels of one render job; checked again (job, worker, deadline, rate) by the job board. */
  'render:result': z
    .object({
      jobId: z.string().max(32),
      // Bytes of any length pass here so the job board can say precisely what is wrong.
      pixels: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'pixels are bytes'),
    })
    .strict(),
} as const;

export type ClientMessageType = keyof typeof CLIENT_MESSAGES;
export type ClientMessage<K extends ClientMessageType> = z.infer<(typeof CLIENT_MESSAGES)[K]>;

/** Options a client passes when joining the room. */
export const joinOptionsSchema = z.union([
  z
    .object({
      role: z.literal('player'),
      nickname: z.string().max(NICKNAME_MAX * 4),
      /** This browser's random id (kept in its storage): a removed student's device stays out until the host readmits them. */
      device: z.string().min(16).max(64).optional(),
      /** The seat's own key from its welcome: takes a seat back on a new connection (after a server restart). */
      seatKey: z.string().min(16).max(64).optional(),
    })
    .strict(),
  z
    .object({
      role: z.literal('host'),
      hostSecret: z.string().max(128).optional(),
      /** Made by the creating browser and sent with `create` only: the one key to a new lobby's host seat. */
      creationToken: z.string().min(16).max(128).optional(),
    })
    .strict(),
]);
export type JoinOptions = z.infer<typeof joinOptionsSchema>;

/** Server → client messages. */
export interface ServerMessages {
  welcome: { role: 'host' | 'player'; code: string; playerId?: string; hostSecret?: string; seatKey?: string };
  question: QuestionPayload & { remainingMs: number };
  answered: { round: number };
  reveal: RevealPayload;
  /** To a device that (re)joins after a series round: what each series has shown the class so far (SeriesHooks.shown). */
  series: Partial<Record<RoundType, unknown>>;
  /** Rated rounds: the tallies while the class rates (sent as ratings arrive, and once more when they close). */
  ratings: RatingsPayload;
  error: ErrorMessage;
  kicked: { message: string };
  /** To host screens only: the students removed from this class, whom the host may let back in. */
  removed: { nicknames: string[] };
  /** Only ever sent to a generator player: the candidates for the fakes they will pick. */
  'gen:candidates': { round: number; deadlineMs: number; slots: { slot: number; caption: string; candidates: RenderRecipe[] }[] };
  /** Only ever sent to the assigned render worker. */
  'render:jobs': { round: number; deadlineMs: number; jobs: { jobId: string; recipe: RenderRecipe }[] };
}
export type ServerMessageType = keyof ServerMessages;
