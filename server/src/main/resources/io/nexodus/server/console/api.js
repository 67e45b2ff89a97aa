// The REST API with the in-memory bearer token. A 401 renews the token once; if that fails the caller gets
// SessionEnded and the page offers to sign in again (what is typed in the page stays where it is).
import { accessToken, refresh } from './auth.js';

export class ApiFailure extends Error {
  constructor(status, body) {
    super((body && (body.reason || body.error)) || 'HTTP ' + status);
    this.status = status;
    this.body = body || {};
  }

  /**
   * Where in the request the service found the error: the JSON path of the value when given (e.g.
   * inbound_rules[0].ip_ranges[0]), else the field name.
   */
  get field() {
    return this.body.path || this.body.field || null;
  }
}

export class SessionEnded extends Error {}

async function send(method, path, body) {
  return fetch(path, { method, headers: headers(body), body: body === undefined ? undefined : JSON.stringify(body) });
}

export async function api(method, path, body) {
  let r = await send(method, path, body);
  if (r.status === 401 && await refresh()) {
    r = await send(method, path, body);
  }
  if (r.status === 401) {
    throw new SessionEnded('your session ended');
  }
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) {
    throw new ApiFailure(r.status, data);
  }
  return data;
}

/**
 * Follows a watch stream (POST path with the watches as body; one JSON event per line) and hands each event to
 * onEvent until signal aborts it. Resolves when the stream ends (the service restarted, the network dropped);
 * the caller decides whether to watch again.
 */
export async function watch(path, watches, onEvent, signal) {
  await readLines(await openStream('POST', path, watches, signal), onEvent);
}

/**
 * Follows the caller's notice stream (GET /api/notices: {"kind":"ready"}, then the kind of each list that changed for
 * the caller) as watch() does.
 */
export async function notices(onNotice, signal) {
  await readLines(await openStream('GET', '/api/notices', undefined, signal), onNotice);
}

async function openStream(method, path, body, signal) {
  const request = () => fetch(path, {
    method, headers: headers(body), body: body === undefined ? undefined : JSON.stringify(body), signal,
  });
  let r = await request();
  if (r.status === 401 && await refresh()) {
    r = await request();
  }
  if (r.status === 401) {
    throw new SessionEnded('your session ended');
  }
  if (!r.ok) {
    const text = await r.text();
    throw new ApiFailure(r.status, text ? JSON.parse(text) : null);
  }
  return r;
}

async function readLines(r, onEvent) {
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffered += value;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) {
        onEvent(JSON.parse(line));
      }
    }
  }
}

function headers(body) {
  const h = { Authorization: 'Bearer ' + accessToken() };
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
  }
  return h;
}
