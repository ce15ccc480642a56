/*
 * The client of /api/v1: JSON in and out, a staff bearer token kept in localStorage (the counter's
 * clerk), every failure turned into an ApiError carrying the server's code and message (or a network
 * one). onTokenChange(listener) hears of every login and logout, e.g. to resubscribe the site stream.
 *
 *   const api = new ApiClient("/api/v1", "yichuang.counter.token");
 *   api.onTokenChange((token) => stream.setToken(token));
 */
(function (root) {
  "use strict";

  const TIMEOUT_MS = 10000;

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status; // 0 when the server was not reached
      this.code = code;
    }
  }

  class ApiClient {
    constructor(base, tokenKey) {
      this.base = base;
      this.tokenKey = tokenKey;
      this.listeners = [];
    }

    onTokenChange(listener) {
      this.listeners.push(listener);
    }

    get token() {
      return root.localStorage.getItem(this.tokenKey);
    }

    set token(value) {
      const before = this.token;
      if (value) root.localStorage.setItem(this.tokenKey, value);
      else root.localStorage.removeItem(this.tokenKey);
      const after = this.token;
      if (after !== before) this.listeners.forEach((listener) => listener(after));
    }

    // The JSON answer, null for 204; throws ApiError.
    async request(method, path, body) {
      const headers = { Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const token = this.token;
      if (token) headers.Authorization = `Bearer ${token}`;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
      let response;
      try {
        response = await fetch(this.base + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: controller.signal,
          cache: "no-store",
        });
      } catch (error) {
        const why = error.name === "AbortError" ? "服务器无应答" : "无法连接服务器";
        throw new ApiError(0, "network_error", `${why}，请检查网络后重试 / the server could not be reached`);
      } finally {
        clearTimeout(timer);
      }
      if (response.status === 204) return null;
      let data = null;
      try {
        data = await response.json();
      } catch (error) {
        data = null; // an answer that is not JSON: reported below with its status
      }
      if (!response.ok) {
        const problem = (data && data.error) || {};
        throw new ApiError(
          response.status,
          problem.code || `http_${response.status}`,
          problem.message || `服务器返回错误 ${response.status} / HTTP ${response.status}`,
        );
      }
      return data;
    }
  }

  root.ApiClient = ApiClient;
  root.ApiError = ApiError;
})(typeof window !== "undefined" ? window : globalThis);
