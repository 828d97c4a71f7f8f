/**
 * The waiting room's "Volunteer this device to render images" checkbox (off by default).
 * Ticked, the device loads the models, measures itself and offers to render fakes; it then
 * sits out any image it rendered.
 */
import { mountModelStatus, type ModelStatusWidget } from '../ml/model-status.ts';
import { h } from '../ui/dom.ts';
import type { PanelContext } from '../ui/panel.ts';

export function volunteerBox(ctx: PanelContext): HTMLElement | null {
  const device = ctx.session.device;
  if (!device || ctx.session.role !== 'player') return null;
  const id = 'volunteer-render';
  const box = h('input', { type: 'checkbox', id, checked: device.volunteering, 'data-testid': 'volunteer', 'aria-describedby': `${id}-hint` });
  const status = h('div', { class: 'gan-volunteer-status' });
  let widget: ModelStatusWidget | null = null;
  const show = () => {
    if (device.volunteering && !widget) widget = mountModelStatus(status, device.models, { load: false });
    if (!device.volunteering && widget) {
      widget.destroy();
      widget = null;
    }
  };
  box.addEventListener('change', () => {
    device.setVolunteer(box.checked);
    show();
  });
  show();
  return h(
    'div',
    { class: 'gan-volunteer' },
    h('div', { class: 'check-row' }, box, h('label', { for: id }, h('strong', {}, 'Volunteer this device to render images'))),
    h(
      'p',
      { class: 'hint', id: `${id}-hint` },
      'Your device downloads the small models and, when the host screen cannot, makes a round’s fakes. It then knows them, so you sit that round out with the class average points.',
    ),
    status,
  );
}
