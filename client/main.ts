import './styles.css';
import { startRouter, type Route, type View } from './router.ts';
import type { Stage, StageRequest } from './scenes/stage.ts';
import { hostView } from './ui/host-view.ts';
import { joinView } from './ui/join-view.ts';
import { landingView, notFoundView } from './ui/landing-view.ts';
import type { StageHandle } from './ui/panel.ts';
import { notesView } from './ui/notes-view.ts';
import { playView } from './ui/play-view.ts';
import { soloView } from './ui/solo-view.ts';

/**
 * Phaser is the heaviest download, so the forms render first and the canvas joins when
 * it has loaded; until then the latest drawing request waits here.
 */
function lazyStage(parent: HTMLElement): StageHandle {
  let stage: Stage | null = null;
  let pending: StageRequest = { scene: 'none' };
  parent.dataset.ready = 'false';
  import('./scenes/stage.ts')
    .then(({ createStage }) => createStage(parent))
    .then((ready) => {
      stage = ready;
      stage.show(pending);
    })
    .catch((error: unknown) => {
      // The game stays playable without pictures only in name; say so plainly.
      console.error('The canvas could not start', error);
      parent.dataset.failed = 'true';
      document.body.classList.add('no-stage');
    });
  return {
    show(request) {
      pending = request;
      parent.dataset.ready = 'false';
      stage?.show(request);
    },
  };
}

const views: Record<Route['name'], View> = {
  landing: landingView,
  host: hostView,
  join: joinView,
  play: playView,
  solo: soloView,
  notes: notesView,
  'not-found': notFoundView,
};

startRouter(document.getElementById('main')!, lazyStage(document.getElementById('stage')!), views);
