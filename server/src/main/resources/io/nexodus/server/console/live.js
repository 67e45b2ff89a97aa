// Live pages: one kind of a VPC's watch stream (POST /api/vpcs/{id}/events), followed until the page changes. The
// stream sends the whole list, a tail marker, then every change; after a drop it starts over with the whole list.
// Lists without a watch kind (organizations, invitations, VPCs, keys, users, relays) follow the caller's notice
// stream instead (GET /api/notices) and are read again when their kind is named.
import { SessionEnded, notices, watch } from './api.js';
import { h, sessionEnded } from './ui.js';

const RETRY_MS = 2000;

/**
 * Follows {@code kind} in VPC {@code vpcId} until {@code signal} aborts. Handlers (all optional): reset() before each
 * (re)sent list, change(value), remove(value), tail() when the list is complete, status(text) for the page's live
 * indicator ("live", "reconnecting", ...).
 */
export function follow(vpcId, kind, handlers, signal) {
  const on = { reset() {}, change() {}, remove() {}, tail() {}, status() {}, ...handlers };
  (async () => {
    while (!signal.aborted) {
      let fresh = true;
      try {
        await watch('/api/vpcs/' + vpcId + '/events', [{ kind, gt_revision: 0, at_tail: false }], (e) => {
          if (fresh) {
            on.reset();
            fresh = false;
          }
          if (e.kind !== kind) return;
          if (e.type === 'change' && e.value) on.change(e.value);
          else if (e.type === 'delete' && e.value) on.remove(e.value);
          else if (e.type === 'reset') on.reset();
          else if (e.type === 'tail') { on.tail(); on.status('live'); }
          else if (e.type === 'error') on.status('stream error: ' + ((e.value && e.value.error) || 'unknown'));
        }, signal);
        if (!signal.aborted) on.status('stream closed, reconnecting');
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof SessionEnded) {
          sessionEnded();
          return;
        }
        on.status('stream failed (' + err.message + '), reconnecting');
      }
      await new Promise((resolve) => { setTimeout(resolve, RETRY_MS); });
    }
  })();
}

/**
 * Runs refresh() (which re-reads one list and replaces only its rows, so forms keep what the user typed) whenever the
 * notice stream names one of kinds or '*', and each time the stream is (re)connected, so what changed while it was
 * down, or between the page's first read and the subscription, is not missed. One refresh at a time: notices that
 * come during one make exactly one more. status(text) as for follow().
 */
export function refreshOnNotice(kinds, refresh, status, signal) {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        if (signal.aborted) return;
        try {
          await refresh();
        } catch (err) {
          if (err instanceof SessionEnded) {
            sessionEnded();
            return;
          }
          status('reading the list failed (' + err.message + ')');
        }
      } while (again);
    } finally {
      running = false;
    }
  };
  (async () => {
    while (!signal.aborted) {
      try {
        await notices((n) => {
          if (n.kind === 'ready') {
            status('live');
            run();
          } else if (n.kind === '*' || kinds.includes(n.kind)) {
            run();
          }
        }, signal);
        if (!signal.aborted) status('stream closed, reconnecting');
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof SessionEnded) {
          sessionEnded();
          return;
        }
        status('stream failed (' + err.message + '), reconnecting');
      }
      await new Promise((resolve) => { setTimeout(resolve, RETRY_MS); });
    }
  })();
}

/** The page's live indicator for a list that follows notices, and the sentence that explains it. */
export function liveNote(what) {
  const live = h('span', { id: 'live', 'aria-live': 'polite' }, 'connecting…');
  return { live, note: h('p', { class: 'muted' }, what + ' update as the service reports changes (', live, ').') };
}

/**
 * Wraps render(data) so that it runs only when data differs from what it last rendered: a re-read that finds the list
 * as it was leaves the page alone (no focus or selection lost, no flicker).
 */
export function whenChanged(render) {
  let last = null;
  return (data) => {
    const text = JSON.stringify(data);
    if (text === last) return;
    last = text;
    render(data);
  };
}
