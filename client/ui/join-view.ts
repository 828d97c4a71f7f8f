import { JOIN_CODE_LENGTH, NICKNAME_MAX, normalizeJoinCode } from '../../shared/game/lobby-rules.ts';
import { validateNickname } from '../../shared/game/nickname.ts';
import type { View } from '../router.ts';
import { JoinError, NetworkSession } from '../session/network-session.ts';
import { lobbyRefusal, lookUpLobby } from '../session/server-api.ts';
import { seat } from '../session/storage.ts';
import { h } from './dom.ts';
import { setTopbar } from './shell.ts';

const CODE_HELP = `A class code has ${JOIN_CODE_LENGTH} letters and digits, like K7QM3P (codes never use 0, O, 1, I or L).`;

function field(id: string, label: string, hint: string, input: HTMLInputElement) {
  const error = h('p', { id: `${id}-error`, class: 'field-error', 'aria-live': 'polite' });
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-hint ${id}-error`);
  const el = h('div', { class: 'field' }, h('label', { for: id }, label), input, h('p', { id: `${id}-hint`, class: 'hint' }, hint), error);
  const setError = (message: string) => {
    error.textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { el, setError };
}

export const joinView: View = (ctx, route) => {
  const prefill = route.name === 'join' ? route.code : null;
  setTopbar({ role: 'Student' });
  document.title = 'Join a class · Latent Arena';

  const codeInput = h('input', {
    name: 'code',
    value: prefill ?? '',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    maxlength: 9,
    class: 'code-input',
    'data-testid': 'code-input',
  });
  const nickInput = h('input', {
    name: 'nickname',
    value: prefill ? (seat(prefill)?.nickname ?? '') : '',
    autocomplete: 'nickname',
    maxlength: NICKNAME_MAX * 2,
    spellcheck: 'false',
    'data-testid': 'nickname-input',
  });
  const code = field('join-code', 'Class code', 'Shown on the big screen.', codeInput);
  const nick = field('join-nickname', 'Nickname', `1 to ${NICKNAME_MAX} characters. Everyone in the class sees it.`, nickInput);
  const formError = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'join-error' });
  const button = h('button', { type: 'submit', class: 'button primary big', 'data-testid': 'join-button' }, 'Join');
  const form = h('form', { class: 'join-form', novalidate: true, 'data-testid': 'join-form' }, code.el, nick.el, formError, button);
  ctx.root.append(
    h(
      'section',
      { class: 'card narrow join-card-student' },
      h('h1', { class: 'card-heading' }, 'Join a class'),
      ctx.notice ? h('p', { class: 'notice-line', role: 'status', 'data-testid': 'join-notice' }, ctx.notice) : null,
      form,
    ),
  );

  // Instant feedback with the same rule the server applies (it still has the last word).
  let nickTouched = false;
  const checkNick = () => {
    const result = validateNickname(nickInput.value, []);
    nick.setError(result.ok ? '' : result.message);
    return result;
  };
  nickInput.addEventListener('input', () => nickTouched && checkNick());
  nickInput.addEventListener('blur', () => {
    if (nickInput.value !== '') nickTouched = true;
    if (nickTouched) checkNick();
  });
  codeInput.addEventListener('input', () => {
    const upper = codeInput.value.toUpperCase();
    if (upper !== codeInput.value) codeInput.value = upper;
    code.setError('');
  });

  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    formError.textContent = '';
    const normalized = normalizeJoinCode(codeInput.value);
    code.setError(normalized ? '' : codeInput.value.trim() === '' ? 'Enter the class code.' : CODE_HELP);
    nickTouched = true;
    const name = checkNick();
    if (!normalized) return codeInput.focus();
    if (!name.ok) return nickInput.focus();

    busy = true;
    button.disabled = true;
    button.textContent = 'Joining…';
    try {
      const lookup = await lookUpLobby(normalized);
      if (!lookup.ok) {
        if (lookup.error.code === 'no_such_lobby') {
          code.setError(`No class with the code ${normalized}. Check the code on the big screen.`);
          codeInput.focus();
        } else formError.textContent = lookup.error.message;
        return;
      }
      const refusal = lobbyRefusal(lookup.lobby);
      if (refusal) {
        formError.textContent = refusal.message;
        return;
      }
      const session = await NetworkSession.joinAsPlayer(normalized, name.nickname);
      ctx.navigate(`/play/${normalized}`, { session });
    } catch (error) {
      const e = error instanceof JoinError ? error : new JoinError({ code: 'unknown', message: 'Could not join.' });
      if (e.code.startsWith('nickname_')) {
        nick.setError(e.message);
        nickInput.focus();
      } else if (e.code === 'no_such_lobby') {
        code.setError(e.message);
        codeInput.focus();
      } else formError.textContent = e.message;
    } finally {
      busy = false;
      if (button.isConnected) {
        button.disabled = false;
        button.textContent = 'Join';
      }
    }
  });

  // With the code from the QR, the nickname is what is left to fill in.
  if (prefill && normalizeJoinCode(prefill)) window.setTimeout(() => nickInput.focus(), 0);
  else if (prefill) code.setError(CODE_HELP);
};
