import { validateNickname } from '../../shared/game/nickname.ts';
import type { GameSettings } from '../../shared/game/settings.ts';
import type { HostControls, PlayerView, Snapshot } from '../session/game-session.ts';
import { joinBaseUrl } from '../session/server-api.ts';
import { h } from './dom.ts';
import type { Panel, PanelContext } from './panel.ts';
import { playlistForm } from './playlist-form.ts';
import { previousGames } from './previous-games.ts';

/** The projected lobby: how to join, who is here, what will be played, and Start. */
export function hostLobbyPanel(ctx: PanelContext): Panel {
  const { session } = ctx;
  const host = session.host as HostControls;
  const code = session.code;

  const url = h('p', { class: 'join-url', 'data-testid': 'join-url' });
  // Shown without "http://" (phones add it) and allowed to break only after "/join/".
  const showUrl = (base: string) => url.replaceChildren(`${base.replace(/^https?:\/\//, '')}/join/`, h('wbr'), code);
  showUrl(location.origin);
  void joinBaseUrl().then(showUrl);
  const joinCard = h(
    'section',
    { class: 'card join-card', 'aria-labelledby': 'join-title' },
    h('h2', { id: 'join-title', class: 'eyebrow' }, 'Join with the code'),
    h('p', { class: 'join-code', 'data-testid': 'join-code', 'aria-label': `Join code: ${code.split('').join(' ')}` }, code),
    h('img', { class: 'qr', src: `/api/lobbies/${code}/qr.svg`, alt: `QR code that opens the join page for class ${code}`, width: 220, height: 220, 'data-testid': 'qr' }),
    h('p', { class: 'hint' }, 'or open'),
    url,
  );

  // ---- players ----
  const count = h('span', { class: 'count', 'data-testid': 'player-count' }, '0');
  const list = h('ul', { class: 'player-list', 'data-testid': 'player-list' });
  const empty = h('p', { class: 'hint empty' }, 'Nobody yet. Students appear here as they join.');
  // Removed students stay out (by name and device) until the host lets them back in.
  const removedList = h('ul', { class: 'removed-list', 'data-testid': 'removed-list' });
  const removedBox = h('div', { class: 'removed-box', hidden: true }, h('p', { class: 'hint' }, 'Removed (they cannot join again until you let them back in):'), removedList);
  const showRemoved = (nicknames: string[]) => {
    removedList.replaceChildren(
      ...nicknames.map((nickname) =>
        h(
          'li',
          { class: 'player-row removed', 'data-testid': 'removed-row', 'data-player': nickname },
          h('span', { class: 'name' }, nickname),
          h(
            'button',
            { type: 'button', class: 'button small ghost', 'aria-label': `Let ${nickname} back in`, 'data-testid': 'readmit', onclick: () => host.readmit(nickname) },
            'Let back in',
          ),
        ),
      ),
    );
    removedBox.hidden = nicknames.length === 0;
  };
  showRemoved(host.removed());
  const offRemoved = session.on('removed', ({ nicknames }) => showRemoved(nicknames));
  const playersCard = h(
    'section',
    { class: 'card players-card', 'aria-labelledby': 'players-title' },
    h('h2', { id: 'players-title', class: 'card-title' }, 'Players ', count),
    empty,
    list,
    removedBox,
  );
  const rows = new Map<string, { el: HTMLElement; name: HTMLElement; status: HTMLElement; editing: boolean }>();

  const playerRow = (p: PlayerView) => {
    const name = h('span', { class: 'name' }, p.nickname);
    const status = h('span', { class: 'offline-tag', hidden: p.connected }, 'offline');
    const renameButton = h('button', { type: 'button', class: 'button small ghost', 'aria-label': `Rename ${p.nickname}` }, 'Rename');
    const kickButton = h('button', { type: 'button', class: 'button small ghost danger', 'aria-label': `Remove ${p.nickname}`, 'data-testid': 'kick' }, 'Kick');
    const actions = h('span', { class: 'row-actions' }, renameButton, kickButton);
    const el = h('li', { class: 'player-row', 'data-testid': 'player-row', 'data-player': p.nickname }, name, status, actions);
    const row = { el, name, status, editing: false };

    let armed: number | null = null;
    kickButton.addEventListener('click', () => {
      if (armed === null) {
        kickButton.textContent = 'Confirm kick';
        armed = window.setTimeout(() => {
          armed = null;
          kickButton.textContent = 'Kick';
        }, 4000);
        return;
      }
      window.clearTimeout(armed);
      host.kick(p.id);
    });

    renameButton.addEventListener('click', () => {
      row.editing = true;
      const inputId = `rename-${p.id}`;
      const input = h('input', { id: inputId, value: row.name.textContent ?? '', maxlength: 40, autocomplete: 'off', 'aria-describedby': `${inputId}-error` });
      const error = h('span', { id: `${inputId}-error`, class: 'field-error', role: 'alert' });
      const cancel = h('button', { type: 'button', class: 'button small ghost' }, 'Cancel');
      const form = h(
        'form',
        { class: 'rename-form' },
        h('label', { for: inputId, class: 'visually-hidden' }, `New nickname for ${row.name.textContent}`),
        input,
        h('button', { type: 'submit', class: 'button small' }, 'Save'),
        cancel,
        error,
      );
      const close = () => {
        row.editing = false;
        form.replaceWith(name);
        actions.hidden = false;
        renameButton.focus();
      };
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const others = session
          .snapshot()
          .players.filter((o) => o.id !== p.id)
          .map((o) => o.nickname);
        const result = validateNickname(input.value, others);
        if (!result.ok) {
          error.textContent = result.message;
          input.setAttribute('aria-invalid', 'true');
          return;
        }
        host.rename(p.id, result.nickname);
        name.textContent = result.nickname;
        close();
      });
      cancel.addEventListener('click', close);
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') close();
      });
      name.replaceWith(form);
      actions.hidden = true;
      input.focus();
      input.select();
    });
    return row;
  };

  const updatePlayers = (players: PlayerView[]) => {
    const seen = new Set<string>();
    for (const [i, p] of players.entries()) {
      seen.add(p.id);
      let row = rows.get(p.id);
      if (!row) {
        row = playerRow(p);
        rows.set(p.id, row);
      }
      if (!row.editing) row.name.textContent = p.nickname;
      row.el.dataset.player = p.nickname;
      row.status.hidden = p.connected;
      // Only move rows that are out of place: moving a node drops keyboard focus inside it.
      if (list.children[i] !== row.el) list.insertBefore(row.el, list.children[i] ?? null);
    }
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.el.remove();
        rows.delete(id);
      }
    }
    count.textContent = String(players.length);
    empty.hidden = players.length > 0;
  };

  // ---- setup ----
  let sendTimer: number | null = null;
  const form = playlistForm('host', session.snapshot().settings, (settings: GameSettings) => {
    if (sendTimer !== null) window.clearTimeout(sendTimer);
    sendTimer = window.setTimeout(() => host.settings(settings), 250);
  });
  const lockButton = h('button', { type: 'button', class: 'button', 'aria-pressed': 'false', 'data-testid': 'lock-button' }, 'Lock lobby');
  const lockNote = h('p', { class: 'hint', 'aria-live': 'polite' });
  lockButton.addEventListener('click', () => host.lock(!session.snapshot().locked));
  const startButton = h('button', { type: 'button', class: 'button primary big', 'data-testid': 'start-button' }, 'Start game');
  const startNote = h('p', { class: 'hint', id: 'start-note' });
  startButton.setAttribute('aria-describedby', 'start-note');
  startButton.addEventListener('click', () => {
    const settings = form.value();
    if (!settings) return;
    if (sendTimer !== null) {
      window.clearTimeout(sendTimer);
      sendTimer = null;
    }
    host.settings(settings);
    host.start();
  });
  const setupCard = h(
    'section',
    { class: 'card setup-card', 'aria-labelledby': 'setup-title' },
    h('h2', { id: 'setup-title', class: 'card-title' }, 'Game setup'),
    form.el,
    h('div', { class: 'lock-row' }, lockButton, lockNote),
    startButton,
    startNote,
  );

  // If the server's default playlist holds rounds this client cannot show, use the form's.
  if (form.replacedInitial) {
    const initial = form.value();
    if (initial) host.settings(initial);
  }

  const history = previousGames(code);
  const el = h('div', { class: 'host-lobby' }, joinCard, h('div', { class: 'lobby-main' }, playersCard, setupCard, history));

  const update = (snap: Snapshot) => {
    updatePlayers(snap.players);
    form.set(snap.settings);
    lockButton.textContent = snap.locked ? 'Unlock lobby' : 'Lock lobby';
    lockButton.setAttribute('aria-pressed', String(snap.locked));
    lockNote.textContent = snap.locked ? 'Locked: nobody new can join.' : 'Open: anyone with the code can join.';
    el.classList.toggle('locked', snap.locked);
    const none = snap.players.length === 0;
    startButton.disabled = none;
    startNote.textContent = none ? 'Start is available once a student has joined.' : `${snap.players.length} ready to play.`;
  };
  update(session.snapshot());
  return {
    el,
    update,
    stage: { scene: 'none' },
    destroy: () => {
      if (sendTimer !== null) window.clearTimeout(sendTimer);
      offRemoved();
    },
  };
}
