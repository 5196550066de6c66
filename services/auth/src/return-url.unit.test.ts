import { describe, expect, it } from 'vitest';
import { parseReturnUrlAllowList, ReturnUrlConfigError } from './return-url.js';

describe('return URL allow-list', () => {
  const list = parseReturnUrlAllowList('http://localhost:3000, https://app.example.com/settings/partners');

  it.each([
    'http://localhost:3000/',
    'http://localhost:3000/anything?x=1#y',
    'https://app.example.com/settings/partners',
    'https://app.example.com/settings/partners/fitbit?from=menu',
  ])('admits %s', (url) => {
    expect(list.check(url)?.toString()).toBe(new URL(url).toString());
  });

  it.each([
    'http://localhost:3001/',
    'http://localhost/',
    'https://localhost:3000/',
    'https://app.example.com/settings/partnersX',
    'https://app.example.com/settings/',
    'https://app.example.com.evil.test/settings/partners',
    'https://app.example.com@evil.test/settings/partners',
    'https://user:pass@app.example.com/settings/partners',
    'javascript:alert(1)//https://app.example.com/settings/partners',
    'data:text/html,hi',
    '//app.example.com/settings/partners',
    'not a url',
    `https://app.example.com/settings/partners/${'x'.repeat(3000)}`,
  ])('refuses %s', (url) => {
    expect(list.check(url)).toBeUndefined();
  });

  it('normalizes before comparing (dot segments cannot climb out of a prefix)', () => {
    expect(list.check('https://app.example.com/settings/partners/../../admin')).toBeUndefined();
    expect(list.check('https://APP.example.com/settings/partners/x')?.hostname).toBe('app.example.com');
  });

  it('reports every bad entry at once', () => {
    expect(() => parseReturnUrlAllowList('ftp://x, nope, https://a.test/?q=1')).toThrow(ReturnUrlConfigError);
    try {
      parseReturnUrlAllowList('ftp://x, nope, https://a.test/?q=1');
    } catch (e) {
      expect((e as Error).message).toMatch(/ftp:\/\/x.*nope.*a\.test/);
    }
  });
});
