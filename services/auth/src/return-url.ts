/**
 * Where the browser may be sent after a partner's consent page (DESIGN.md §8: allow-listed
 * return URLs). `AUTH_RETURN_URL_ALLOWLIST` is a comma-separated list of
 *
 * - origins (`https://app.example.com`, `http://localhost:3000`): any URL of exactly that origin;
 * - prefixes (`https://app.example.com/settings/partners/`): that origin, and a path equal to the
 *   prefix or below it (`/settings/partners` also admits `/settings/partners/x`, never
 *   `/settings/partnersX`).
 *
 * Matching is on parsed URLs, never on raw strings, so `https://app.example.com.evil.test`,
 * `https://app.example.com@evil.test` and scheme tricks do not pass.
 */

interface Rule {
  readonly origin: string;
  /** Undefined: the whole origin. */
  readonly path?: string;
}

export class ReturnUrlConfigError extends Error {
  override readonly name = 'ReturnUrlConfigError';
}

export interface ReturnUrlAllowList {
  readonly entries: readonly string[];
  /** The normalized URL when allowed, undefined otherwise. */
  check(candidate: string): URL | undefined;
}

export function parseReturnUrlAllowList(spec: string): ReturnUrlAllowList {
  const rules: Rule[] = [];
  const problems: string[] = [];
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of entries) {
    let u: URL;
    try {
      u = new URL(entry);
    } catch {
      problems.push(`"${entry}" is not a URL`);
      continue;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push(`"${entry}" must be http(s)`);
    else if (u.username || u.password || u.search || u.hash)
      problems.push(`"${entry}" must be an origin or a path prefix`);
    else rules.push(u.pathname === '/' ? { origin: u.origin } : { origin: u.origin, path: u.pathname });
  }
  if (problems.length > 0) throw new ReturnUrlConfigError(problems.join('; '));
  return {
    entries,
    check(candidate) {
      if (candidate.length > 2048) return undefined;
      let u: URL;
      try {
        u = new URL(candidate);
      } catch {
        return undefined;
      }
      if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password) return undefined;
      const allowed = rules.some((r) => {
        if (u.origin !== r.origin) return false;
        if (r.path === undefined) return true;
        const base = r.path.endsWith('/') ? r.path : `${r.path}/`;
        return u.pathname === r.path || u.pathname.startsWith(base);
      });
      return allowed ? u : undefined;
    },
  };
}
