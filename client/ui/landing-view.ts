import type { View } from '../router.ts';
import { h } from './dom.ts';
import { setTopbar } from './shell.ts';

/** A fixed set of data-set seeds: the grid looks the same for everyone, every time. */
const TILE_SEEDS = [11, 23, 37, 41, 58, 64, 79, 86];

export const landingView: View = (ctx) => {
  setTopbar();
  document.title = 'Latent Arena';
  const way = (href: string, title: string, text: string, testid: string, icon: string) =>
    h(
      'a',
      { href, class: 'way', 'data-testid': testid },
      h('span', { class: 'way-icon', 'aria-hidden': 'true' }, icon),
      h('span', { class: 'way-title' }, title),
      h('span', { class: 'way-text' }, text),
    );
  const tiles = TILE_SEEDS.map((seed) =>
    h('figure', { class: 'tile' }, h('div', { class: 'pixel-slot', 'data-slot': 'tile', 'data-seed': seed }), h('figcaption', { class: 'slot-t', 'aria-hidden': 'true' }, 't = 0')),
  );
  ctx.root.append(
    h(
      'div',
      { class: 'landing' },
      h(
        'section',
        { class: 'hero' },
        h('h1', { class: 'hero-title' }, 'Latent Arena'),
        h('p', { class: 'hero-text' }, 'A classroom game about how text-to-image models work: GANs, diffusion, and the maths in between.'),
        h(
          'nav',
          { class: 'ways', 'aria-label': 'Ways to play' },
          way('/host', 'Host a class', 'Project a lobby; students join with a code or QR.', 'way-host', '▣'),
          way('/join', 'Join a class', 'Type the code from the big screen.', 'way-join', '→'),
          way('/solo', 'Practice solo', 'Play the rounds alone, right here: no server needed.', 'way-solo', '◆'),
        ),
      ),
      h(
        'figure',
        { class: 'noise-grid', 'aria-label': 'Eight images from the game’s data set being noised and denoised.' },
        h('div', { class: 'tiles' }, ...tiles),
        h(
          'figcaption',
          {},
          'The DDPM forward process, live: x',
          h('sub', {}, 't'),
          ' = √ᾱ',
          h('sub', {}, 't'),
          ' x',
          h('sub', {}, '0'),
          ' + √(1 − ᾱ',
          h('sub', {}, 't'),
          ') ε, from t = 0 to 1000 and back.',
        ),
      ),
    ),
  );
  ctx.stage.show({ scene: 'noise-loop' });
};

export const notFoundView: View = (ctx, route) => {
  setTopbar();
  document.title = 'Not found · Latent Arena';
  ctx.root.append(
    h(
      'section',
      { class: 'card notice' },
      h('h1', { class: 'notice-title' }, 'Nothing here'),
      h('p', { class: 'lead' }, `There is no page at ${route.name === 'not-found' ? route.path : location.pathname}.`),
      h('div', { class: 'actions' }, h('a', { href: '/', class: 'button primary' }, 'Go to the start')),
    ),
  );
};
