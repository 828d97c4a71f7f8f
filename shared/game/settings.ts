import { z } from 'zod';
import { ROUND_TYPE_NAMES, roundRules, type RoundType } from '../rounds/registry.ts';

export const TIMER_MIN_SEC = 10;
export const TIMER_MAX_SEC = 120;
/** Relaxed pace (accessibility): this many times the timer, and no speed bonus. */
export const RELAXED_TIMER_FACTOR = 3;
export const MAX_ROUNDS_PER_ENTRY = 20;
const MAX_PLAYLIST_ENTRIES = 10;

const playlistEntrySchema = z
  .object({
    type: z.enum(ROUND_TYPE_NAMES as [RoundType, ...RoundType[]]),
    count: z.number().int().min(1).max(MAX_ROUNDS_PER_ENTRY),
    timerSec: z.number().int().min(TIMER_MIN_SEC).max(TIMER_MAX_SEC),
    /** Per-type settings, checked by that round type's own schema; defaults when left out. */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (entry.options === undefined) return;
    const result = roundRules(entry.type).optionsSchema.safeParse(entry.options);
    if (!result.success) ctx.addIssue({ code: 'custom', path: ['options'], message: `Invalid ${entry.type} options: ${result.error.message}` });
  });

export const gameSettingsSchema = z
  .object({
    playlist: z.array(playlistEntrySchema).min(1).max(MAX_PLAYLIST_ENTRIES),
    relaxed: z.boolean(),
  })
  .strict();

export type PlaylistEntry = z.infer<typeof playlistEntrySchema>;
export type GameSettings = z.infer<typeof gameSettingsSchema>;

export const DEFAULT_SETTINGS: GameSettings = {
  playlist: [{ type: 'timestep', count: 5, timerSec: 20 }],
  relaxed: false,
};

export interface PlannedRound {
  type: RoundType;
  durationMs: number;
  speedBonus: boolean;
  options: unknown;
}

/** Expands the host's playlist into the rounds that will actually be played. */
export function planRounds(settings: GameSettings): PlannedRound[] {
  const factor = settings.relaxed ? RELAXED_TIMER_FACTOR : 1;
  return settings.playlist.flatMap((entry) => {
    const rules = roundRules(entry.type);
    const options = rules.optionsSchema.parse(entry.options ?? rules.defaultOptions);
    return Array.from({ length: entry.count }, () => ({
      type: entry.type,
      durationMs: entry.timerSec * factor * 1000,
      speedBonus: !settings.relaxed,
      options,
    }));
  });
}
