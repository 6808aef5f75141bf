// Replay jobs (POST /replay): a dry run counts what a replay would send, a confirmation names that count (and
// takes a rate), then the job runs on the server while a panel follows it (GET /replay/{id}, twice a second)
// until it has finished, with a Cancel button (POST /replay/{id}/cancel). The panel lives outside the views, so
// changing views does not lose it; a new job replaces it.
import { api } from './api.js';
import { badge, confirmDialog, flash, h } from './dom.js';

const FINISHED = ['succeeded', 'cancelled', 'failed'];
const POLL_MS = 500;
let stopPanel = () => {};

function progressPanel(job, onCancel, onClose) {
  const done = FINISHED.includes(job.state);
  const skipped = Object.entries(job.skipped ?? {}).filter(([, n]) => n > 0).map(([why, n]) => `${n} ${why.replaceAll('_', ' ')}`);
  return h('div', { class: 'card job', id: 'replay-job', dataset: { id: job.id, state: job.state } },
    h('div', { class: 'toolbar' },
      h('strong', {}, 'Replay job'), h('span', { id: 'replay-job-state' }, badge(job.state)),
      h('span', { class: 'muted mono' }, job.id),
      h('span', { class: 'spacer' }),
      done ? h('button', { type: 'button', class: 'small ghost', id: 'replay-job-close', onclick: onClose }, 'Close')
        : h('button', { type: 'button', class: 'small danger', id: 'replay-job-cancel', disabled: job.cancel_requested, onclick: onCancel },
          job.cancel_requested ? 'Cancelling…' : 'Cancel')),
    h('progress', { id: 'replay-job-progress', max: Math.max(1, job.selected), value: job.processed }),
    h('p', { id: 'replay-job-counts' },
      `${job.processed} of ${job.selected} processed · ${job.replayed} replayed`,
      job.created ? ` · ${job.created} created` : '',
      skipped.length ? ` · skipped: ${skipped.join(', ')}` : '',
      ` · ${job.rate_per_second}/s`),
    job.error ? h('p', { class: 'error' }, job.error) : '');
}

// Follows job `id` in the #jobs panel until it has finished.
export function follow(job) {
  stopPanel();
  const holder = document.getElementById('jobs');
  let stopped = false;
  let timer = null;
  stopPanel = () => {
    stopped = true;
    clearTimeout(timer);
  };
  const close = () => {
    stopPanel();
    holder.replaceChildren();
  };
  const cancel = async () => {
    try {
      const j = await api('POST', `/replay/${encodeURIComponent(job.id)}/cancel`);
      render(j);
    } catch (e) {
      flash(e.message, true);
    }
  };
  const render = (j) => holder.replaceChildren(progressPanel(j, cancel, close));
  const tick = async () => {
    try {
      const j = await api('GET', `/replay/${encodeURIComponent(job.id)}`);
      if (stopped) return;
      render(j);
      if (FINISHED.includes(j.state)) return;
    } catch (e) {
      flash(e.message, true);
    }
    if (!stopped) timer = setTimeout(tick, POLL_MS);
  };
  render(job);
  timer = setTimeout(tick, POLL_MS);
}

// Dry run, confirmation (with the rate), then the job. `spec` is POST /replay's body without dry_run and rate;
// `what` describes the selection ("failed deliveries of https://…").
export async function replayWithJob(spec, what) {
  const dry = await api('POST', '/replay', { ...spec, dry_run: true });
  if (dry.selected === 0) {
    flash(`Nothing to replay: no ${what}.`);
    return null;
  }
  const rate = h('input', { id: 'replay-rate', type: 'number', min: 0.1, max: 500, step: 'any', value: 10, size: 5 });
  const ok = await confirmDialog('Replay deliveries?',
    h('div', {},
      h('p', { id: 'replay-count' }, `${dry.selected} ${what} will be sent again, with their event ids, marked as replays.`),
      h('label', { class: 'inline' }, 'At most ', rate, ' per second')),
    `Replay ${dry.selected}`);
  if (!ok) return null;
  const perSecond = Number(rate.value) > 0 ? Number(rate.value) : 10;
  const job = await api('POST', '/replay', { ...spec, rate_per_second: perSecond });
  follow(job);
  return job;
}
