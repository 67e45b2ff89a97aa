// What the user typed survives signing in again: signing in is a full-page redirect, so before it the open forms'
// values are kept in sessionStorage (this tab only), keyed by form id, and put back once the same page is shown after
// the login; then they are removed. Passwords, secrets, tokens and private keys are never kept.
const KEY = 'nexodus-console-drafts';
const SECRET_NAME = /pass(word|phrase)?|secret|token|private.?key|bearer/i;

function secret(el) {
  return el.type === 'password' || el.type === 'hidden' || el.type === 'file'
    || /password|one-time-code/.test(el.getAttribute('autocomplete') || '')
    || SECRET_NAME.test(el.name) || el.hasAttribute('data-no-draft');
}

function changed(el) {
  if (el.type === 'checkbox' || el.type === 'radio') return el.checked !== el.defaultChecked;
  if (el.tagName === 'SELECT') return [...el.options].some((o) => o.selected !== o.defaultSelected);
  return el.value !== el.defaultValue;
}

function fields(form) {
  return [...form.elements].filter((el) => el.name && !el.disabled && !secret(el)
    && (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA'));
}

/** Forgets kept values (on log out: they belong to the user who typed them). */
export function dropDrafts() {
  sessionStorage.removeItem(KEY);
}

/** Keeps the values of every form (with an id) on the page that the user changed. */
export function saveDrafts(root) {
  const forms = {};
  for (const form of root.querySelectorAll('form[id]')) {
    const els = fields(form);
    if (!els.some(changed)) continue;
    const values = {};
    for (const el of els) {
      values[el.name] = el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value;
    }
    forms[form.id] = values;
  }
  if (Object.keys(forms).length === 0) {
    sessionStorage.removeItem(KEY);
    return;
  }
  sessionStorage.setItem(KEY, JSON.stringify({ hash: location.hash, forms }));
}

/**
 * Puts kept values back into the forms of the page now shown, if it is the page they were typed in, and removes them
 * either way (they are for the first page after the login only). A form may rebuild itself for its draft first
 * (form.prepareDraft(values), e.g. the rule editor adds the rows the draft has). Returns true when something was put back.
 */
export function restoreDrafts(root) {
  const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
  sessionStorage.removeItem(KEY);
  if (!saved || saved.hash !== location.hash) return false;
  let restored = false;
  for (const [id, values] of Object.entries(saved.forms)) {
    const form = root.querySelector('form#' + CSS.escape(id));
    if (!form) continue;
    if (typeof form.prepareDraft === 'function') form.prepareDraft(values);
    for (const el of fields(form)) {
      if (!(el.name in values)) continue;
      if (el.type === 'checkbox' || el.type === 'radio') el.checked = Boolean(values[el.name]);
      else el.value = values[el.name];
      restored = true;
    }
  }
  return restored;
}
