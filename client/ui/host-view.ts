import type { View } from '../router.ts';
import type { GameSession } from '../session/game-session.ts';
import { JoinError, NetworkSession } from '../session/network-session.ts';
import { hostSecret } from '../session/storage.ts';
import { mountModelStatus } from '../ml/model-status.ts';
import { needsRenders } from '../rounds/gan-device.ts';
import { h } from './dom.ts';
import { mountGameScreen } from './game-screen.ts';
import { hostLobbyPanel } from './host-lobby.ts';
import { previousGames, reportForm } from './previous-games.ts';
import { linkButton, noticeCard, setTopbar } from './shell.ts';

function reportLink(code: string): HTMLElement | null {
  return reportForm(code, '⤓ Download report (CSV)', 'button', 'report-link');
}

/** /host creates a class; /host/CODE comes back to one this browser hosts. */
export const hostView: View = (ctx, route) => {
  if (route.name !== 'host') return;
  setTopbar({ role: 'Host' });
  document.title = 'Host a class · Latent Arena';
  let session: GameSession | null = null;
  let unmount: (() => void) | null = null;
  let gone = false;

  const deadEnd = (code: string, title: string, text: string) => {
    unmount?.();
    unmount = null;
    ctx.stage.show({ scene: 'none' });
    const report = reportLink(code);
    ctx.root.replaceChildren(noticeCard(title, text, ...(report ? [report] : []), linkButton('/host', 'Host a new class', 'primary')), previousGames(code) ?? '');
    ctx.root.querySelector<HTMLElement>('h1')?.focus();
  };

  const start = (s: NetworkSession) => {
    session = s;
    const code = s.code;
    setTopbar({ code, role: 'Host' });
    document.title = `Host · ${code} · Latent Arena`;
    ctx.root.replaceChildren(h('h1', { class: 'visually-hidden' }, `Class ${code}`));
    const screen = h('div');
    ctx.root.append(screen);
    unmount = mountGameScreen(screen, {
      session: s,
      stage: ctx.stage,
      lobby: hostLobbyPanel,
      podiumExtras: () =>
        h('div', { class: 'podium-extras' }, h('div', { class: 'actions' }, reportLink(code), linkButton('/host', 'Host a new class', 'primary')), previousGames(code)),
      onClosed: (message) => deadEnd(code, 'Disconnected from the class', `${message} Reload this page to take the host screen back.`),
    });
    // The host screen renders the fakes (render worker) once the playlist has rounds that need them.
    const device = s.device;
    const models = h('div', { class: 'gan-device-status', 'data-testid': 'host-models' });
    ctx.root.append(models);
    const follow = () => {
      if (device.rendering || !needsRenders(s.snapshot().settings)) return;
      device.startHostWorker();
      mountModelStatus(models, device.models, { load: false });
    };
    const offState = s.on('state', follow);
    follow();
    const unmountScreen = unmount;
    unmount = () => {
      offState();
      device.stop();
      unmountScreen();
    };
  };

  const waiting = (text: string) => ctx.root.replaceChildren(h('section', { class: 'card narrow center' }, h('h1', { class: 'card-heading' }, text)));

  const code = route.code;
  if (code === null) {
    waiting('Creating your class…');
    NetworkSession.createAsHost().then(
      (s) => {
        if (gone) return void s.leave();
        // The address now names the class, so a reload comes back to it.
        history.replaceState(null, '', `/host/${s.code}`);
        start(s);
      },
      (error: unknown) => {
        if (gone) return;
        const message = error instanceof JoinError ? error.message : 'The game server could not create a class.';
        ctx.root.replaceChildren(noticeCard('Could not create a class', message, linkButton('/host', 'Try again', 'primary'), linkButton('/', 'Home')));
      },
    );
  } else {
    const secret = hostSecret(code);
    if (!secret) {
      ctx.root.replaceChildren(
        noticeCard(
          `Class ${code}`,
          'This browser is not the host of that class. Only the browser that created it can host it.',
          linkButton('/host', 'Host a new class', 'primary'),
          linkButton(`/join/${code}`, 'Join it as a student'),
        ),
      );
    } else {
      waiting(`Opening class ${code}…`);
      NetworkSession.rejoinAsHost(code, secret).then(
        (s) => {
          if (gone) return void s.leave();
          start(s);
        },
        (error: unknown) => {
          if (gone) return;
          const ended = error instanceof JoinError && error.code === 'no_such_lobby';
          deadEnd(
            code,
            ended ? `Class ${code} has ended` : `Could not open class ${code}`,
            ended ? 'The class is no longer running. Its results are kept: download the report below.' : error instanceof Error ? error.message : 'Unknown error.',
          );
        },
      );
    }
  }

  return () => {
    gone = true;
    unmount?.();
    void session?.leave();
  };
};
