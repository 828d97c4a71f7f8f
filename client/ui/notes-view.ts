import { LECTURE_ERRATA, type LectureNote, MODEL_VARIANTS, SLIDES_THAT_AGREE } from '../content/lecture-notes.ts';
import type { View } from '../router.ts';
import { h } from './dom.ts';
import { setTopbar } from './shell.ts';

/**
 * "Notes on the lecture": where the game follows the papers rather than a slide, and where
 * the project's own models are variants of what the papers describe. Linked from every reveal.
 */
function entry(note: LectureNote): HTMLElement {
  return h(
    'li',
    { class: 'note', 'data-testid': 'note' },
    h('h3', { class: 'note-title' }, note.title),
    note.slide && !note.title.startsWith(note.slide) ? h('p', { class: 'note-where hint' }, `Slide: “${note.slide}”`) : null,
    ...note.body.map((paragraph) => h('p', {}, paragraph)),
  );
}

export const notesView: View = (ctx) => {
  setTopbar();
  document.title = 'Notes on the lecture · Latent Arena';
  ctx.root.append(
    h(
      'article',
      { class: 'card notes', 'data-testid': 'notes-page' },
      h('h1', { class: 'card-heading' }, 'Notes on the lecture'),
      h(
        'p',
        { class: 'lead' },
        'The game computes what the papers write. Where a slide says it differently, the game follows the paper, and it says so here; where the small models trained for this game differ from the papers on purpose, that is here too.',
      ),
      h(
        'p',
        { class: 'hint' },
        'The lecture’s diffusion slides end at DDPM: DDIM, classifier-free guidance and latent diffusion come straight from their papers (below, with the models). Its slides on contrastive learning and CLIP are cited by their headings.',
      ),
      h('h2', { id: 'errata' }, 'Where the game follows the paper, not the slide'),
      h('ol', { class: 'notes-list' }, ...LECTURE_ERRATA.map(entry)),
      h('p', { class: 'hint' }, SLIDES_THAT_AGREE),
      h('h2', { id: 'variants' }, 'Where the project’s models are variants'),
      h('ol', { class: 'notes-list' }, ...MODEL_VARIANTS.map(entry)),
      h('div', { class: 'actions' }, h('a', { href: '/', class: 'button' }, 'Back to the start')),
    ),
  );
};
