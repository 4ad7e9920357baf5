// csp.ts: the Content-Security-Policy of the built pages, declared once; vite.config.ts sends it as a header from `vite preview` and writes it into the built HTML as a <meta> tag.

/** A policy: each directive and its sources. */
export type Policy = Readonly<Record<string, readonly string[]>>;

/**
 * The app (index.html): its own scripts and module worker, WebAssembly compiled from bytes (the CPU
 * backend's SIMD tiles, in the worker), fetches of its own data files, its own style sheets (React and
 * uPlot set styles through the CSSOM, which style-src does not govern), and nothing else: no inline
 * or injected script, no eval, no plug-in, no <base>, no form posts, not framed by another site.
 * Chart PNGs and run files are downloaded through blob: links, which are navigations, not loads.
 */
export const APP_POLICY: Policy = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'"],
  'img-src': ["'self'"],
  'style-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * bench.html: the app's policy, plus the inline <style> in its head, and blob: workers and scripts:
 * cross-origin isolated, jax-js starts its wasm threads from blob: URLs (TensorFlow.js's wasm
 * backend would too, with an importScripts of a blob:, but bench/browser.ts keeps it on one thread).
 * Both fetch their .wasm from 'self' or build it in memory, and compile it under 'wasm-unsafe-eval'.
 */
export const BENCH_POLICY: Policy = {
  ...APP_POLICY,
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'style-src': ["'self'", "'unsafe-inline'"],
};

/** The policy of the page (or of a script or worker it loads) at a path of the built site. */
export function policyFor(path: string): Policy {
  return /^\/bench(\.html)?(?:[?#]|$)/.test(path) ? BENCH_POLICY : APP_POLICY;
}

/** Directives a <meta> tag cannot carry: the browser ignores them there and says so in the console. */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

/** The policy as the Content-Security-Policy response header says it. */
export function headerValue(policy: Policy): string {
  return Object.entries(policy)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join('; ');
}

/** The policy as a <meta http-equiv="Content-Security-Policy"> tag can say it (without the header-only directives). */
export function metaValue(policy: Policy): string {
  return headerValue(Object.fromEntries(Object.entries(policy).filter(([directive]) => !HEADER_ONLY.has(directive))));
}
