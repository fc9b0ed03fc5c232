// The Tally API as the page uses it: the read key travels in the Authorization header only,
// never in a URL (URLs end up in logs and browser history).

/** An error answer of the API (`{ "error": { "code", "message" } }`) or an unreadable one. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** 401/403: the key is unknown, revoked or not a read key; asking again will not help. */
  get isKeyProblem() {
    return this.status === 401 || this.status === 403;
  }
}

/** @param {string} key */
export function authorization(key) {
  return { authorization: `Bearer ${key}` };
}

/**
 * The API's own error from a non-2xx response.
 * @param {Response} res
 */
export async function apiError(res) {
  const body = await res.json().catch(() => undefined);
  const error = body && typeof body === 'object' ? body.error : undefined;
  return new ApiError(
    res.status,
    typeof error?.code === 'string' ? error.code : `http_${res.status}`,
    typeof error?.message === 'string' ? error.message : `the API answered ${res.status}`,
  );
}

/**
 * GET `path` with query `params` as the key's project; throws ApiError unless 2xx.
 * @param {string} path
 * @param {Record<string, string>} params
 * @param {string} key
 * @returns {Promise<unknown>} the body, of the contract type the caller names
 */
export async function getJson(path, params, key) {
  const query = new URLSearchParams(params).toString();
  const res = await fetch(query ? `${path}?${query}` : path, {
    headers: authorization(key),
    cache: 'no-store',
  });
  if (!res.ok) throw await apiError(res);
  return res.json();
}
