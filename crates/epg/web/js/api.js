// The public API client: every call goes through `api()`, which adds the admin token,
// turns problem+json answers into `ApiError`s and tells listeners about 401/403.

const TOKEN_KEY = 'epg.admin-token';
const listeners = new Set();

/** An error answer of the API, with its RFC 9457 problem document. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** The form field a 400/409 is about: details read `field: reason`, conflicts name it. */
  get field() {
    const detail = this.problem?.detail || '';
    const m = /^([a-z_]+): /.exec(detail);
    if (m) return m[1];
    if (this.status === 409 && /named/.test(detail)) return 'name';
    if (this.status === 409 && /xmltv_id/.test(detail)) return 'xmltv_id';
    return null;
  }

  /** The text shown to people. */
  get text() {
    return this.field ? this.message.replace(/^[a-z_]+: /, '') : this.message;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Calls `fn(error)` on every 401 or 403. */
export function onDenied(fn) {
  listeners.add(fn);
}

/** `method` `/api/v1{path}` with an optional JSON body; resolves to the parsed answer. */
export async function api(method, path, body, { quiet = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { detail: `the service cannot be reached (${e.message})` });
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (!quiet && (res.status === 401 || res.status === 403)) for (const fn of listeners) fn(err);
    throw err;
  }
  return data;
}

/**
 * Whether this client may write, asked without changing anything: deleting mapping 0 is
 * refused by authorisation (401/403) before the id is checked (400), so a 400 means
 * writes would be accepted.
 */
export async function canWrite() {
  try {
    await api('DELETE', '/mappings/0', undefined, { quiet: true });
    return true;
  } catch (e) {
    return e.status === 400;
  }
}

/** Query string of the defined values of `params`. */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** RFC 3339 UTC without milliseconds, as the API reads it. */
export function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
