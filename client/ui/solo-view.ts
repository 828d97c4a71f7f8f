import type { GameSettings } from '../../shared/game/settings.ts';
import { roundRules } from '../../shared/rounds/registry.ts';
import { playableRoundTypes } from '../rounds/views.ts';
import type { View } from '../router.ts';
import { SoloSession } from '../session/solo-session.ts';
import { h } from './dom.ts';
import { mountGameScreen } from './game-screen.ts';
import type { Panel, PanelContext } from './panel.ts';
import { playlistForm } from './playlist-form.ts';
import { linkButton, setTopbar } from './shell.ts';

const SOLO_DEFAULT: GameSettings = {
  // Rounds with generated images download the models first: the player adds them.
  playlist: playableRoundTypes()
    .filter((type) => !roundRules(type).renderJobs)
    .map((type) => ({ type, count: 3, timerSec: 20 })),
  relaxed: false,
};

function soloSetupPanel(ctx: PanelContext): Panel {
  const host = ctx.session.host!;
  const form = playlistForm('solo', ctx.session.snapshot().settings, (settings) => host.settings(settings));
  const start = h('button', { type: 'submit', class: 'button primary big', 'data-testid': 'solo-start' }, 'Start practice');
  const el = h(
    'section',
    { class: 'card narrow solo-setup' },
    h('h1', { class: 'card-heading' }, 'Practice solo'),
    h('p', { class: 'lead' }, 'The same rounds and scoring as in class, played in this browser. Nothing is sent anywhere.'),
    h(
      'form',
      {
        onsubmit: (event: SubmitEvent) => {
          event.preventDefault();
          const settings = form.value();
          if (!settings) return;
          host.settings(settings);
          host.start();
        },
      },
      form.el,
      start,
    ),
  );
  return { el, stage: { scene: 'none' } };
}

export const soloView: View = (ctx) => {
  setTopbar({ role: 'Solo' });
  document.title = 'Practice solo · Latent Arena';
  let unmount: (() => void) | null = null;
  let session: SoloSession | null = null;

  const begin = () => {
    unmount?.();
    void session?.leave();
    session = new SoloSession('You', SOLO_DEFAULT);
    const screen = h('div');
    ctx.root.replaceChildren(screen);
    unmount = mountGameScreen(screen, {
      session,
      stage: ctx.stage,
      lobby: soloSetupPanel,
      podiumExtras: () =>
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'button primary', 'data-testid': 'solo-again', onclick: begin }, 'Play again'),
          linkButton('/', 'Home'),
        ),
    });
  };
  begin();

  return () => {
    unmount?.();
    void session?.leave();
  };
};
