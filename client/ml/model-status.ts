/**
 * A small accessible status line for the models: a progress bar while they download and
 * build, then "Models ready · backend: wasm (12 ms per image)". Scenes mount it anywhere.
 */
import { getModelService, type ModelService, type ModelStatus } from './model-service.ts';

export interface ModelStatusWidget {
  element: HTMLElement;
  destroy(): void;
}

function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}

/** Renders the service's status into `parent`; `load` (default true) starts loading. */
export function mountModelStatus(parent: HTMLElement, service: ModelService = getModelService(), options: { load?: boolean } = {}): ModelStatusWidget {
  const element = document.createElement('div');
  element.className = 'model-status';
  element.dataset.testid = 'model-status';
  const label = document.createElement('span');
  label.className = 'model-status-label';
  label.id = `model-status-label-${Math.random().toString(36).slice(2, 8)}`;
  // Announce the phases (start, ready, failure), not every percent: the bar carries those.
  label.setAttribute('role', 'status');
  label.setAttribute('aria-live', 'polite');
  const bar = document.createElement('progress');
  bar.className = 'model-status-bar';
  bar.max = 100;
  bar.setAttribute('aria-labelledby', label.id);
  element.append(label, bar);
  parent.append(element);

  const render = (s: ModelStatus) => {
    element.dataset.state = s.state;
    switch (s.state) {
      case 'idle':
        label.textContent = 'Models not loaded';
        bar.hidden = true;
        break;
      case 'loading': {
        const p = s.progress;
        const percent = Math.round((p?.fraction ?? 0) * 100);
        bar.hidden = false;
        bar.value = percent;
        bar.setAttribute('aria-valuetext', p?.totalBytes ? `${percent}% (${formatBytes(p.loadedBytes)} of ${formatBytes(p.totalBytes)})` : `${percent}%`);
        if (label.textContent !== 'Loading models…') label.textContent = 'Loading models…';
        break;
      }
      case 'ready':
        bar.hidden = true;
        label.textContent = `Models ready · backend: ${s.backend.chosen} (${Math.round(s.msPerImage)} ms per image)`;
        element.title = Object.entries(s.backend.timingsMs)
          .map(([name, ms]) => `${name}: ${ms.toFixed(1)} ms warm-up`)
          .join(', ');
        break;
      case 'error':
        bar.hidden = true;
        label.textContent = `Models unavailable: ${s.message}`;
        break;
    }
  };
  const unsubscribe = service.subscribe(render);
  if (options.load !== false) service.ready().catch(() => undefined); // the error shows in the widget

  return {
    element,
    destroy() {
      unsubscribe();
      element.remove();
    },
  };
}
