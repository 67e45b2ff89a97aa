// Login through the service's OIDC issuer (the built-in one, or the external --oidc-issuer as config.js names it):
// authorization code + PKCE (S256), as a public client. The tokens live in this module's memory only (never in
// localStorage): a reload signs in again. Only the PKCE verifier and state cross the redirect, in sessionStorage, and
// are removed as soon as the code is redeemed.
import config from './config.js';

const REDIRECT_URI = location.origin + '/console/';
const PENDING = 'nexodus-console-pkce';
const SIGNED_OUT = 'signed-out';

let tokens = null; // { access, refresh, id }

function b64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString() {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

export function accessToken() {
  return tokens && tokens.access;
}

export function signedIn() {
  return tokens !== null;
}

/** False when the issuer offers no browser login (its discovery document names no authorization endpoint). */
export function loginAvailable() {
  return config !== null;
}

/** True when the page is the issuer's answer to a logout this page started. */
export function returnedFromLogout() {
  const params = new URLSearchParams(location.search);
  if (params.get('state') !== SIGNED_OUT || params.has('code')) {
    return false;
  }
  history.replaceState(null, '', '/console/');
  return true;
}

/** Sends the browser to the issuer's login page; returns here with a code. */
export async function login() {
  if (!window.crypto || !crypto.subtle) {
    throw new Error('the browser offers no Web Crypto here: open the console over HTTPS or on localhost');
  }
  const verifier = randomString();
  const state = randomString();
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const q = new URLSearchParams({
    client_id: config.client_id, redirect_uri: REDIRECT_URI, response_type: 'code',
    code_challenge: challenge, code_challenge_method: 'S256', state,
  });
  if (config.scope) {
    q.set('scope', config.scope);
  }
  location.assign(config.authorization_endpoint + '?' + q);
}

/** If the URL carries a code from the issuer, redeems it. Returns true when signed in. */
export async function completeLogin() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) {
    const error = params.get('error');
    if (error) {
      history.replaceState(null, '', '/console/');
      sessionStorage.removeItem(PENDING);
      throw new Error('the issuer refused the login: ' + (params.get('error_description') || error));
    }
    return false;
  }
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/console/' + ((pending && pending.hash) || ''));
  if (!pending || pending.state !== params.get('state')) {
    throw new Error('the login answer does not match a login this page started; sign in again');
  }
  await tokenRequest({
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: config.client_id,
    code_verifier: pending.verifier,
  });
  return true;
}

/** Renews the access token with the (rotating) refresh token; false when the session is over. */
export async function refresh() {
  if (!tokens || !tokens.refresh) {
    return false;
  }
  try {
    await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh, client_id: config.client_id });
    return true;
  } catch (e) {
    tokens = null;
    return false;
  }
}

/**
 * Drops the tokens. At an external issuer that announces an end_session_endpoint, also ends the session there
 * (RP-initiated logout; the issuer sends the browser back with state=signed-out) and returns true: the page is leaving.
 */
export function logout() {
  const id = tokens && tokens.id;
  tokens = null;
  if (!config || !config.end_session_endpoint) {
    return false;
  }
  const q = new URLSearchParams({ client_id: config.client_id, post_logout_redirect_uri: REDIRECT_URI, state: SIGNED_OUT });
  if (id) {
    q.set('id_token_hint', id);
  }
  location.assign(config.end_session_endpoint + '?' + q);
  return true;
}

async function tokenRequest(form) {
  const r = await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    throw new Error(body.error_description || body.error || 'token request failed: HTTP ' + r.status);
  }
  // a refresh answer may omit the ID token: keep the one from the login for the logout hint
  tokens = { access: body.access_token, refresh: body.refresh_token, id: body.id_token || (tokens && tokens.id) };
}
