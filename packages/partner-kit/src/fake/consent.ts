import type { Request, RequestHandler, Response } from 'express';
import { params } from './http.js';

/**
 * The fakes' consent page: a plain HTML form with Allow / Deny buttons a browser can click,
 * and the same decision available to tests as `?auto=allow|deny` (or the `X-Fake-Consent`
 * header). The partner-side user is chosen with `fake_user` / `X-Fake-User`, or typed in.
 */

export type ConsentDecision = 'allow' | 'deny';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A decision made without the page (test shortcut), or undefined to show the page. */
export function autoDecision(req: Request): { decision: ConsentDecision; user?: string } | undefined {
  const auto = typeof req.query.auto === 'string' ? req.query.auto : req.get('x-fake-consent');
  if (auto !== 'allow' && auto !== 'deny') return undefined;
  const user = typeof req.query.fake_user === 'string' ? req.query.fake_user : req.get('x-fake-user');
  return { decision: auto, ...(user ? { user } : {}) };
}

/** The submitted form's decision and user. */
export function formDecision(
  body: Record<string, string>,
): { decision: ConsentDecision; user?: string } | undefined {
  const decision = body.decision;
  if (decision !== 'allow' && decision !== 'deny') return undefined;
  const user = body.fake_user?.trim();
  return { decision, ...(user ? { user } : {}) };
}

export function consentPage(options: {
  partner: string;
  action: string;
  hidden: Readonly<Record<string, string>>;
  scopes: readonly string[];
  suggestedUser: string;
}): string {
  const hidden = Object.entries(options.hidden)
    .filter(([k]) => k !== 'auto' && k !== 'fake_user')
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n      ');
  const scopes = options.scopes.length
    ? `<ul>${options.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`
    : '<p>No specific scopes requested.</p>';
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>${escapeHtml(options.partner)} (fake): authorize</title></head>
  <body>
    <h1>${escapeHtml(options.partner)} (fake partner)</h1>
    <p>An application asks to access your data:</p>
    ${scopes}
    <form method="post" action="${escapeHtml(options.action)}">
      ${hidden}
      <label>Partner account id <input name="fake_user" value="${escapeHtml(options.suggestedUser)}"></label>
      <button type="submit" name="decision" value="allow">Allow</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>
  </body>
</html>`;
}

/** The consent page for an authorization request: its parameters ride along as hidden fields. */
export function sendConsentPage(
  req: Request,
  res: Response,
  page: {
    partner: string;
    hidden: Readonly<Record<string, string>>;
    scopes: readonly string[];
    suggestedUser: string;
  },
): void {
  res.type('html').send(consentPage({ ...page, action: req.path }));
}

/** The consent form's POST: the user's decision goes to `decide`, a form without one is a 400 page. */
export function consentSubmitted(
  partner: string,
  decide: (res: Response, form: Record<string, string>, decision: ConsentDecision, user?: string) => void,
): RequestHandler {
  return (req, res) => {
    const form = params(req);
    const d = formDecision(form);
    if (!d) {
      res.status(400).type('html').send(errorPage(partner, 'no decision'));
      return;
    }
    decide(res, form, d.decision, d.user);
  };
}

export function errorPage(partner: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(partner)} (fake): error</title></head><body><h1>Authorization error</h1><p>${escapeHtml(message)}</p></body></html>`;
}

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
}

/**
 * Drive a consent page as a browser would: GET the authorize URL, read the form, submit it with
 * the chosen button, and return the redirect target (our callback URL with code or error).
 */
export async function submitConsent(
  authorizeUrl: string | URL,
  options: { decision?: ConsentDecision; user?: string; fetch?: typeof fetch } = {},
): Promise<URL> {
  const doFetch = options.fetch ?? fetch;
  const page = await doFetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200)
    throw new Error(`consent page answered HTTP ${page.status}: ${html.slice(0, 200)}`);
  const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error('no consent form on the page');
  const body = new URLSearchParams();
  for (const m of (form[2] ?? '').matchAll(
    /<input[^>]*type="hidden"[^>]*name="([^"]*)"[^>]*value="([^"]*)"[^>]*>/gi,
  ))
    body.append(decodeEntities(m[1] ?? ''), decodeEntities(m[2] ?? ''));
  const suggested = /<input[^>]*name="fake_user"[^>]*value="([^"]*)"/i.exec(form[2] ?? '');
  body.set('fake_user', options.user ?? decodeEntities(suggested?.[1] ?? ''));
  body.set('decision', options.decision ?? 'allow');
  const action = new URL(decodeEntities(form[1] ?? ''), authorizeUrl);
  const res = await doFetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  if (res.status < 300 || res.status >= 400 || !location)
    throw new Error(`consent submit answered HTTP ${res.status} without a redirect`);
  return new URL(location, action);
}
