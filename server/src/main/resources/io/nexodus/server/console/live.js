// Live pages: one kind of a VPC's watch stream (POST /api/vpcs/{id}/events), followed until the page changes. The
// stream sends the whole list, a tail marker, then every change; after a drop it starts over with the whole list.
import { SessionEnded, watch } from './api.js';
import { sessionEnded } from './ui.js';

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
