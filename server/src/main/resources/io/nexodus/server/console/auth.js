// Login through the service's built-in OIDC issuer: authorization code + PKCE (S256). The access and refresh tokens
// live in this module's memory only (never in localStorage): a reload signs in again. Only the PKCE verifier and state
// cross the redirect, in sessionStorage, and are removed as soon as the code is redeemed.
const CLIENT_ID = 'nexodus-console';
const REDIRECT_URI = location.origin + '/console/';
const PENDING = 'nexodus-console-pkce';

let tokens = null; // { access, refresh }

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
    client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code',
    code_challenge: challenge, code_challenge_method: 'S256', state,
  });
  location.assign('/oauth/authorize?' + q);
}

/** If the URL carries a code from the issuer, redeems it. Returns true when signed in. */
export async function completeLogin() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) {
    return false;
  }
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/console/' + ((pending && pending.hash) || ''));
  if (!pending || pending.state !== params.get('state')) {
    throw new Error('the login answer does not match a login this page started; sign in again');
  }
  await tokenRequest({
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID,
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
    await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh });
    return true;
  } catch (e) {
    tokens = null;
    return false;
  }
}

export function logout() {
  tokens = null;
}

async function tokenRequest(form) {
  const r = await fetch('/oauth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    throw new Error(body.error_description || body.error || 'token request failed: HTTP ' + r.status);
  }
  tokens = { access: body.access_token, refresh: body.refresh_token };
}
