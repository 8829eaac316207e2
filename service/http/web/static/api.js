/** The JSON API. Requests carry the API key kept for this browser session; errors keep the API's shape. */

const KEY = "brief-api-key";

/** The API key lives in sessionStorage only: gone when the tab closes, never in localStorage. */
export const apiKey = {
  get: () => sessionStorage.getItem(KEY),
  set: (key) => sessionStorage.setItem(KEY, key),
  forget: () => sessionStorage.removeItem(KEY),
};

/** An error answer of the API: `{error: {status, code, message, field, limit}}`. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.code = error.code;
    this.field = error.field;
  }
}

/** A failure as the reader is told it: the API's message and status, or why the request did not get through. */
export function explain(failure) {
  return failure instanceof ApiError ? `${failure.message} (HTTP ${failure.status})` : `Request failed: ${failure.message}`;
}

async function request(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const key = apiKey.get();
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, data?.error ?? { code: "http", message: `${response.status} ${response.statusText}` });
  }
  return data;
}

/** Call the API; on 401 wait for `askKey(reason)` to get a key from the reader, then try again. */
export async function call(method, path, body, askKey) {
  for (;;) {
    try {
      return await request(method, path, body);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      await askKey(apiKey.get() ? "The service refused that key. Enter another." : "The service needs an API key.");
    }
  }
}
