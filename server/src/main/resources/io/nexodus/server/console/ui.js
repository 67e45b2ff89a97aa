// What every page builds with: DOM helpers (never innerHTML with data, so API text cannot inject markup), form
// fields with a slot for the API's error about them, and the session-ended banner.
import { login } from './auth.js';
import { ApiFailure, SessionEnded } from './api.js';
import { saveDrafts } from './drafts.js';

const main = document.getElementById('main');

/** h('tag', {attr: value, onclick: fn}, ...children): one element. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) {
      continue;
    }
    if (k.startsWith('on')) {
      el.addEventListener(k.slice(2), v);
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) {
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  return el;
}

export function show(...nodes) {
  main.replaceChildren(...nodes);
}

export function fieldId(field) {
  return 'err-' + field.replace(/[^A-Za-z0-9_]+/g, '-').replace(/-+$/, '');
}

/** An input with its label and a slot where the API's 400 error for the field is shown. */
export function field(label, name, input) {
  input.id = input.id || 'f-' + name.replace(/[^A-Za-z0-9_]+/g, '-');
  input.name = name;
  input.setAttribute('aria-describedby', fieldId(name));
  return h('label', { for: input.id }, label, input, h('span', { class: 'error', id: fieldId(name), 'aria-live': 'polite' }));
}

export function clearErrors(form) {
  form.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}

/** Shows a failure next to its field (longest matching field slot), else in the form's general slot. */
export function showError(form, err) {
  if (err instanceof SessionEnded) {
    sessionEnded();
    return;
  }
  let f = err instanceof ApiFailure ? err.field : null;
  while (f) {
    const slot = form.querySelector('#' + CSS.escape(fieldId(f)));
    if (slot) {
      slot.textContent = err.message;
      const input = form.querySelector('[aria-describedby="' + fieldId(f) + '"]');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
      return;
    }
    f = f.includes('.') || f.includes('[') ? f.replace(/(\.[^.[\]]*|\[\d+\])$/, '') : null;
  }
  form.querySelector('.form-error').textContent = (f === null && err.field ? err.field + ': ' : '') + err.message;
}

/**
 * The session ended: keep the page as it is and offer to sign in again. That is a full-page redirect, so what is
 * typed in the page's forms is kept for this tab first and put back after the login (drafts.js).
 */
export function sessionEnded() {
  if (document.getElementById('session-ended')) {
    return;
  }
  main.prepend(h('p', { id: 'session-ended', role: 'alert', class: 'error' },
    'Your session ended. ', h('button', {
      type: 'button', id: 'sign-in-again',
      onclick: () => {
        saveDrafts(main);
        login().catch((e) => alert(e.message));
      },
    }, 'Sign in again')));
}

export function when(t) {
  if (!t) {
    return 'never';
  }
  const s = Math.round((Date.now() - Date.parse(t)) / 1000);
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return new Date(t).toLocaleString();
}

/** Runs an action of a button outside a form: a failure is an alert, an ended session the banner. */
export async function act(action) {
  try {
    await action();
    return true;
  } catch (err) {
    if (err instanceof SessionEnded) sessionEnded(); else alert(err.message);
    return false;
  }
}
