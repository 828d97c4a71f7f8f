import { roundRules, ROUND_TYPE_NAMES, type RoundType } from '../../shared/rounds/registry.ts';
import { preparingPanel } from '../rounds/generator-view.ts';
import { roundView } from '../rounds/views.ts';
import type { GameSession, Snapshot } from '../session/game-session.ts';
import { announce, h, toast } from './dom.ts';
import type { Panel, PanelContext, StageHandle } from './panel.ts';
import { leaderboardPanel, podiumPanel } from './standings.ts';

interface GameScreenOptions {
  session: GameSession;
  stage: StageHandle;
  /** The lobby differs most between roles: the host's setup, a student's waiting room, solo setup. */
  lobby(ctx: PanelContext): Panel;
  /** Under the podium: report link, play again… */
  podiumExtras?(): Node | null;
  onKicked?(message: string): void;
  onClosed?(message: string): void;
}

function message(text: string, detail?: string): Panel {
  return { el: h('div', { class: 'card center' }, h('p', { class: 'lead' }, text), detail ? h('p', { class: 'hint' }, detail) : null), stage: { scene: 'none' } };
}

/** The question screen of the student whose device drew this round's images: it has seen the recipes, so it does not judge them. */
function sittingOutPanel(): Panel {
  announce('Your device drew this round’s images: you sit this round out.');
  const panel = message(
    'Your device drew this round’s images',
    'It saw how each fake was made, so you sit this round out and get the class average points for it. You play the next round as usual.',
  );
  panel.el.dataset.testid = 'sitting-out';
  return panel;
}

function roundTitle(type: string): string {
  return ROUND_TYPE_NAMES.includes(type as RoundType) ? roundRules(type as RoundType).title : type;
}

/**
 * Every in-game screen for every role: it follows the session and swaps the panel when
 * the phase (or round) changes, and updates it in place otherwise. Host controls appear
 * for the host and in solo.
 */
export function mountGameScreen(root: HTMLElement, options: GameScreenOptions): () => void {
  const { session, stage } = options;
  const ctx: PanelContext = { session, stage };

  const roundLabel = h('p', { class: 'round-label', 'data-testid': 'round-label' });
  const timerText = h('span', { class: 'timer-text', 'data-testid': 'seconds-left' });
  const timer = h('div', { class: 'timer', role: 'timer', 'aria-live': 'off' }, h('span', { class: 'timer-dial', 'data-slot': 'timer-dial', 'aria-hidden': 'true' }), timerText);
  const pausedChip = h('p', { class: 'chip chip-paused', role: 'status', 'data-testid': 'paused-banner', hidden: true }, '❚❚ Paused');
  const connection = h('p', { class: 'chip chip-warn', role: 'status', hidden: true, 'data-testid': 'connection-status' });
  const header = h('div', { class: 'game-header' }, roundLabel, pausedChip, connection, timer);
  const body = h('div', { class: 'game-body' });
  const controls = h('div', { class: 'host-controls', role: 'group', 'aria-label': 'Game controls', hidden: true });
  const screen = h('section', { class: 'game-screen', 'data-testid': 'game-screen', 'data-role': session.role }, header, body, controls);
  root.replaceChildren(screen);

  // Host controls: created once so keyboard focus survives phase changes.
  const pauseButton = h('button', { type: 'button', class: 'button', 'aria-pressed': 'false', 'data-testid': 'pause-button' }, 'Pause');
  const skipButton = h('button', { type: 'button', class: 'button', 'data-testid': 'skip-button' }, 'Skip');
  const endButton = h('button', { type: 'button', class: 'button danger', 'data-testid': 'end-button' }, 'End game');
  let endArmed: number | null = null;
  if (session.host) {
    const host = session.host;
    controls.append(pauseButton, skipButton, endButton);
    pauseButton.addEventListener('click', () => host.pause(!session.snapshot().paused));
    skipButton.addEventListener('click', () => host.skip());
    endButton.addEventListener('click', () => {
      if (endArmed === null) {
        // Ending cannot be undone: the first press asks, the second ends.
        endButton.textContent = 'Press again to end';
        endArmed = window.setTimeout(() => {
          endArmed = null;
          endButton.textContent = 'End game';
        }, 4000);
        return;
      }
      window.clearTimeout(endArmed);
      endArmed = null;
      endButton.textContent = 'End game';
      host.end();
    });
  }

  let panel: Panel | null = null;
  let panelKey = '';
  let lastAnnounced = -1;

  const render = (snap: Snapshot) => {
    const question = session.currentQuestion();
    const reveal = session.currentReveal();
    // The series' length too: a reloaded podium gets its minimax chart back after the state.
    const key = `${snap.phase}:${snap.round}:${question ? 'q' : ''}:${reveal ? 'r' : ''}:${session.minimaxSeries()?.history.length ?? 0}`;
    screen.dataset.phase = snap.phase;
    screen.dataset.round = String(snap.round);
    if (key !== panelKey) {
      panelKey = key;
      // Focus inside the old panel would fall to <body>; keep keyboard users in the game.
      // (Focus on the host controls stays put, so Skip can be pressed again and again.)
      const active = document.activeElement;
      const hadFocus = !active || active === document.body || body.contains(active);
      panel?.destroy?.();
      panel = buildPanel(snap);
      body.replaceChildren(panel.el);
      stage.show(panel.stage ?? { scene: 'none' });
      const target = panel.focus ?? panel.el.querySelector<HTMLElement>('h1, h2');
      if (hadFocus && target) {
        if (!target.hasAttribute('tabindex') && !target.matches('input, button, select, textarea, a[href]')) target.tabIndex = -1;
        target.focus({ preventScroll: true });
      }
    } else {
      panel?.update?.(snap);
    }
    updateChrome(snap);
  };

  const buildPanel = (snap: Snapshot): Panel => {
    switch (snap.phase) {
      case 'preparing':
        return preparingPanel(ctx);
      case 'lobby':
        return options.lobby(ctx);
      case 'question': {
        const q = session.currentQuestion();
        if (!q) return message('Getting the question…');
        if (q.sittingOut === 'rendered') return sittingOutPanel();
        return roundView(q.type).question(ctx, q);
      }
      case 'reveal': {
        const r = session.currentReveal();
        if (!r) return message('Getting the answer…');
        const panel = roundView(r.type).reveal(ctx, r);
        // In its own tab: following it must not leave the class.
        const notes = h(
          'p',
          { class: 'notes-link hint' },
          h('a', { href: '/notes', target: '_blank', rel: 'noopener', 'data-testid': 'notes-link' }, 'Notes on the lecture'),
          ': where the game follows the papers, and where its models are variants.',
        );
        return { ...panel, el: h('div', { class: 'reveal-wrap' }, panel.el, notes) };
      }
      case 'leaderboard':
        return leaderboardPanel(ctx);
      case 'podium':
        return podiumPanel(ctx, options.podiumExtras?.() ?? null);
    }
  };

  const updateChrome = (snap: Snapshot) => {
    const inGame = snap.phase !== 'lobby' && snap.phase !== 'podium';
    header.hidden = !inGame;
    controls.hidden = !session.host || !inGame;
    roundLabel.textContent = snap.round >= 0 ? `Round ${snap.round + 1} of ${snap.totalRounds} · ${roundTitle(snap.roundType)}` : '';
    pausedChip.hidden = !snap.paused;
    pausedChip.textContent = session.role === 'player' ? '❚❚ Paused by the host' : '❚❚ Paused';
    const seconds = Math.max(0, snap.secondsLeft);
    timer.hidden = !inGame || snap.phase === 'preparing';
    timer.classList.toggle('with-dial', snap.phase === 'question');
    timerText.textContent = snap.phase === 'question' ? String(seconds) : `Next in ${seconds} s`;
    timer.setAttribute('aria-label', snap.phase === 'question' ? `${seconds} seconds left to answer` : `Next screen in ${seconds} seconds`);
    if (snap.phase === 'question' && !snap.paused && (seconds === 10 || seconds === 5) && seconds !== lastAnnounced) {
      lastAnnounced = seconds;
      announce(`${seconds} seconds left.`);
    }
    if (session.host) {
      pauseButton.textContent = snap.paused ? '▶ Resume' : '❚❚ Pause';
      pauseButton.setAttribute('aria-pressed', String(snap.paused));
      const last = snap.round + 1 >= snap.totalRounds;
      skipButton.textContent = snap.phase === 'question' ? 'Reveal now' : snap.phase === 'reveal' ? 'Show leaderboard' : last ? 'Show final results' : 'Next round';
    }
  };

  const offs = [
    session.on('state', render),
    session.on('question', () => render(session.snapshot())),
    session.on('reveal', () => render(session.snapshot())),
    session.on('series', () => render(session.snapshot())),
    session.on('error', (error) => toast(error.message, 'error')),
    session.on('kicked', ({ message: text }) => options.onKicked?.(text)),
    session.on('connection', ({ status, message: text }) => {
      connection.hidden = status === 'connected';
      if (status === 'reconnecting') connection.textContent = 'Connection lost: reconnecting…';
      if (status === 'closed') {
        connection.textContent = text ?? 'Disconnected.';
        options.onClosed?.(text ?? 'Disconnected.');
      }
      if (status === 'connected') toast('Reconnected.');
    }),
  ];
  render(session.snapshot());

  return () => {
    for (const off of offs) off();
    if (endArmed !== null) window.clearTimeout(endArmed);
    panel?.destroy?.();
    panel = null;
  };
}
