import { roundRules, type RoundType } from '../../shared/rounds/registry.ts';
import { gameSettingsSchema, MAX_ROUNDS_PER_ENTRY, RELAXED_TIMER_FACTOR, TIMER_MAX_SEC, TIMER_MIN_SEC, type GameSettings, type PlaylistEntry } from '../../shared/game/settings.ts';
import { playableRoundTypes, roundView, type OptionsEditor } from '../rounds/views.ts';
import { h } from './dom.ts';

interface PlaylistForm {
  el: HTMLElement;
  /** Shows settings that came from elsewhere (the server), unless the user is editing. */
  set(settings: GameSettings): void;
  value(): GameSettings | null;
  /** True when the settings it was given held rounds this client cannot show, so it shows its own. */
  readonly replacedInitial: boolean;
}

const DEFAULT_COUNT = 5;
const DEFAULT_TIMER = 20;

/**
 * The playlist builder: per round type this client can show, how many rounds and the
 * timer; plus relaxed pace. Changes are reported as complete, valid GameSettings only.
 */
export function playlistForm(idPrefix: string, initial: GameSettings, onChange: (settings: GameSettings) => void): PlaylistForm {
  const types = playableRoundTypes();
  const rows = types.map((type) => {
    const rules = roundRules(type);
    const countId = `${idPrefix}-${type}-count`;
    const timerId = `${idPrefix}-${type}-timer`;
    const count = h('input', { type: 'number', id: countId, min: 0, max: MAX_ROUNDS_PER_ENTRY, step: 1, inputmode: 'numeric', 'data-testid': `rounds-${type}` });
    const timer = h('input', { type: 'number', id: timerId, min: TIMER_MIN_SEC, max: TIMER_MAX_SEC, step: 5, inputmode: 'numeric', 'data-testid': `timer-${type}` });
    const el = h(
      'div',
      { class: 'playlist-row' },
      h('div', { class: 'playlist-what' }, h('p', { class: 'playlist-title' }, rules.title), h('p', { class: 'hint' }, rules.blurb)),
      h('div', { class: 'field small' }, h('label', { for: countId }, 'Rounds'), count),
      h('div', { class: 'field small' }, h('label', { for: timerId }, 'Seconds each'), timer),
    );
    // Per-type options (RoundView.optionsEditor): kept here, sent in PlaylistEntry.options.
    const row: { type: RoundType; count: HTMLInputElement; timer: HTMLInputElement; el: HTMLElement; options: Record<string, unknown> | null; editor: OptionsEditor | null } = {
      type,
      count,
      timer,
      el,
      options: null,
      editor: null,
    };
    const makeEditor = roundView(type).optionsEditor;
    if (makeEditor) {
      row.options = { ...(rules.defaultOptions as Record<string, unknown>) };
      row.editor = makeEditor(`${idPrefix}-${type}-opt`, row.options, (options) => {
        row.options = { ...options };
        changed();
      });
      const box = h('div', { class: 'playlist-options', 'data-testid': `options-${type}` }, row.editor.el);
      // The editor reports through onChange; its own input events must not re-read the form.
      for (const kind of ['change', 'input']) box.addEventListener(kind, (event) => event.stopPropagation());
      el.append(box);
    }
    return row;
  });
  const relaxed = h('input', { type: 'checkbox', id: `${idPrefix}-relaxed`, 'data-testid': 'relaxed' });
  const summary = h('p', { class: 'playlist-summary', 'aria-live': 'polite', 'data-testid': 'playlist-summary' });
  const error = h('p', { class: 'field-error', role: 'alert' });
  const el = h(
    'fieldset',
    { class: 'playlist' },
    h('legend', {}, 'Playlist'),
    ...rows.map((r) => r.el),
    h('div', { class: 'check-row' }, relaxed, h('label', { for: `${idPrefix}-relaxed` }, h('strong', {}, 'Relaxed pace'), `: ${RELAXED_TIMER_FACTOR}× the timer, no speed bonus`)),
    summary,
    error,
  );

  const read = (): GameSettings | null => {
    const playlist: PlaylistEntry[] = [];
    for (const r of rows) {
      const count = Math.round(Number(r.count.value));
      const timerSec = Math.round(Number(r.timer.value));
      if (!Number.isFinite(count) || count < 0 || count > MAX_ROUNDS_PER_ENTRY) return fail(`Rounds: a number from 0 to ${MAX_ROUNDS_PER_ENTRY}.`);
      if (!Number.isFinite(timerSec) || timerSec < TIMER_MIN_SEC || timerSec > TIMER_MAX_SEC) {
        return fail(`Timer: between ${TIMER_MIN_SEC} and ${TIMER_MAX_SEC} seconds.`);
      }
      if (count > 0) playlist.push(r.options ? { type: r.type, count, timerSec, options: r.options } : { type: r.type, count, timerSec });
    }
    if (playlist.length === 0) return fail('Choose at least one round.');
    const parsed = gameSettingsSchema.safeParse({ playlist, relaxed: relaxed.checked });
    if (!parsed.success) return fail('These settings are not valid.');
    error.textContent = '';
    return parsed.data;
  };
  const fail = (text: string): null => {
    error.textContent = text;
    return null;
  };

  const describe = (settings: GameSettings) => {
    const factor = settings.relaxed ? RELAXED_TIMER_FACTOR : 1;
    const rounds = settings.playlist.reduce((n, e) => n + e.count, 0);
    const seconds = settings.playlist.reduce((n, e) => n + e.count * e.timerSec * factor, 0);
    summary.textContent = `${rounds} round${rounds === 1 ? '' : 's'} · up to ${Math.ceil(seconds / 60)} min of answering${settings.relaxed ? ' · relaxed pace' : ''}`;
  };

  const show = (settings: GameSettings) => {
    for (const r of rows) {
      const entry = settings.playlist.find((e) => e.type === r.type);
      r.count.value = String(entry?.count ?? 0);
      r.timer.value = String(entry?.timerSec ?? DEFAULT_TIMER);
      if (r.editor && entry) {
        r.options = { ...(entry.options ?? (roundRules(r.type).defaultOptions as Record<string, unknown>)) };
        r.editor.set(r.options);
      }
    }
    relaxed.checked = settings.relaxed;
    describe(settings);
  };

  const changed = () => {
    const settings = read();
    if (!settings) return;
    describe(settings);
    onChange(settings);
  };
  el.addEventListener('change', changed);
  // Number inputs also report typing; wait until the value is whole before sending.
  el.addEventListener('input', (event) => {
    if ((event.target as HTMLInputElement).type === 'number') changed();
  });

  const playable = new Set<RoundType>(types);
  const replacedInitial = !initial.playlist.every((e) => playable.has(e.type));
  show(replacedInitial ? { relaxed: initial.relaxed, playlist: types.map((type) => ({ type, count: DEFAULT_COUNT, timerSec: DEFAULT_TIMER })) } : initial);

  return {
    el,
    set(settings) {
      if (el.contains(document.activeElement) && document.activeElement !== relaxed) return;
      if (!settings.playlist.every((e) => playable.has(e.type))) return;
      show(settings);
    },
    value: read,
    replacedInitial,
  };
}
