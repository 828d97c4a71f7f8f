import type { View } from '../router.ts';
import type { GameSession, Snapshot } from '../session/game-session.ts';
import { NetworkSession } from '../session/network-session.ts';
import { forgetSeat, seat } from '../session/storage.ts';
import { volunteerBox } from '../rounds/gan-volunteer.ts';
import { h } from './dom.ts';
import { mountGameScreen } from './game-screen.ts';
import type { Panel, PanelContext } from './panel.ts';
import { linkButton, noticeCard, setTopbar } from './shell.ts';

/** The student's waiting room: who you are, how many are here, and something to watch. */
function waitingPanel(ctx: PanelContext, nickname: string): Panel {
  const count = h('p', { class: 'hint', 'data-testid': 'waiting-count' });
  const el = h(
    'div',
    { class: 'waiting', 'data-testid': 'waiting-room' },
    h('h1', { class: 'waiting-title' }, 'You’re in, ', h('span', { class: 'nickname', 'data-testid': 'my-nickname' }, nickname), '!'),
    h('p', { class: 'lead' }, 'Look at the big screen: the game starts when your teacher is ready.'),
    count,
    h(
      'figure',
      { class: 'waiting-art' },
      h('div', { class: 'tile' }, h('div', { class: 'pixel-slot', 'data-slot': 'tile', 'data-seed': 2024 }), h('span', { class: 'slot-t', 'aria-hidden': 'true' })),
      h('figcaption', { class: 'hint' }, 'Meanwhile: one image going through the forward process and back. Rounds ask you to read t off images like this.'),
    ),
  );
  const volunteer = volunteerBox(ctx);
  if (volunteer) el.append(volunteer);
  const update = (snap: Snapshot) => {
    const me = snap.players.find((p) => p.id === ctx.session.playerId);
    const name = el.querySelector('[data-testid="my-nickname"]');
    if (me && name && name.textContent !== me.nickname) name.textContent = me.nickname;
    const others = snap.players.length - 1;
    count.textContent = others <= 0 ? 'You are the first one here.' : `${others} other player${others === 1 ? ' is' : 's are'} here.`;
  };
  update(ctx.session.snapshot());
  return { el, update, stage: { scene: 'noise-loop' } };
}

export const playView: View = (ctx, route) => {
  if (route.name !== 'play') return;
  const code = route.code;
  setTopbar({ code, role: 'Student' });
  document.title = `Class ${code} · Latent Arena`;
  let session: GameSession | null = ctx.session;
  let unmount: (() => void) | null = null;
  let gone = false;

  const deadEnd = (title: string, text: string) => {
    unmount?.();
    unmount = null;
    ctx.stage.show({ scene: 'none' });
    ctx.root.replaceChildren(noticeCard(title, text, linkButton(`/join/${code}`, 'Join again', 'primary'), linkButton('/', 'Home')));
    ctx.root.querySelector<HTMLElement>('h1')?.focus();
  };

  const start = (s: GameSession) => {
    session = s;
    const nickname = seat(code)?.nickname ?? s.snapshot().players.find((p) => p.id === s.playerId)?.nickname ?? '';
    unmount = mountGameScreen(ctx.root, {
      session: s,
      stage: ctx.stage,
      lobby: (panelCtx) => waitingPanel(panelCtx, nickname),
      podiumExtras: () => h('div', { class: 'actions' }, linkButton('/join', 'Join another class'), linkButton('/solo', 'Practice solo')),
      onKicked: (message) => {
        forgetSeat(code);
        deadEnd('You were removed', message);
      },
      onClosed: (message) => deadEnd('Disconnected', `${message} If the class is still running, join again with your nickname.`),
    });
  };

  if (session) start(session);
  else {
    const saved = seat(code);
    if (!saved) {
      ctx.navigate(`/join/${code}`, { replace: true });
      return;
    }
    ctx.root.append(h('section', { class: 'card narrow center' }, h('h1', { class: 'card-heading' }, 'Taking your seat back…'), h('p', { class: 'hint' }, `Class ${code}`)));
    NetworkSession.resumeSeat(code, saved).then(
      (s) => {
        if (gone) return void s.leave();
        ctx.root.replaceChildren();
        start(s);
      },
      () => {
        if (gone) return;
        forgetSeat(code);
        ctx.navigate(`/join/${code}`, {
          replace: true,
          notice: 'Your seat could not be restored (seats are kept for 60 seconds). Join again with your nickname.',
        });
      },
    );
  }

  return () => {
    gone = true;
    unmount?.();
    void session?.leave();
  };
};
