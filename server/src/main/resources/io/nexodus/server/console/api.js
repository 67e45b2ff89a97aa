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
  const headers = { Authorization: 'Bearer ' + accessToken() };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
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
