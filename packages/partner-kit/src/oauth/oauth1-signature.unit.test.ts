import { describe, expect, it } from 'vitest';
import {
  hmacSha1Signature,
  parseOAuth1Request,
  signatureBaseString,
  verifyOAuth1Request,
} from './oauth1-signature.js';

// RFC 5849 vectors as listed in shared/reference/partner-apis.md §7.2.
const CONSUMER = { key: 'dpf43f3p2l4k3l03', secret: 'kd94hf93k423kf44' };

function header(params: Record<string, string>): string {
  return `OAuth realm="Photos", ${Object.entries(params)
    .map(([k, v]) => `${k}="${encodeURIComponent(v)}"`)
    .join(', ')}`;
}

describe('RFC 5849 signature base string and HMAC-SHA1', () => {
  it('(a) temporary credentials request', () => {
    const oauth = {
      oauth_consumer_key: CONSUMER.key,
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '137131200',
      oauth_nonce: 'wIjqoS',
      oauth_callback: 'http://printer.example.com/ready',
    };
    const parsed = parseOAuth1Request({
      method: 'POST',
      url: 'https://photos.example.net/initiate',
      authorization: header(oauth),
    });
    expect(parsed.baseString).toBe(
      'POST&https%3A%2F%2Fphotos.example.net%2Finitiate&oauth_callback%3Dhttp%253A%252F%252Fprinter.example.com%252Fready%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DwIjqoS%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131200',
    );
    expect(hmacSha1Signature(parsed.baseString, CONSUMER.secret)).toBe('74KNZJeDHnMBp0EMJ9ZHt/XKycU=');
  });

  it('(a) token request', () => {
    const oauth = {
      oauth_consumer_key: CONSUMER.key,
      oauth_token: 'hh5s93j4hdidpola',
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '137131201',
      oauth_nonce: 'walatlh',
      oauth_verifier: 'hfdp7dh39dks9884',
    };
    const parsed = parseOAuth1Request({
      method: 'POST',
      url: 'https://photos.example.net/token',
      authorization: header(oauth),
    });
    expect(hmacSha1Signature(parsed.baseString, CONSUMER.secret, 'hdhd0244k9j7ao03')).toBe(
      'gKgrFCywp7rO0OXSjdot/IHF7IU=',
    );
  });

  it('(a) resource request, over http and https', () => {
    const params: [string, string][] = [
      ['file', 'vacation.jpg'],
      ['size', 'original'],
      ['oauth_consumer_key', CONSUMER.key],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131202'],
      ['oauth_nonce', 'chapoH'],
    ];
    const base = signatureBaseString('GET', 'http://photos.example.net/photos', params);
    expect(base).toBe(
      'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal',
    );
    expect(hmacSha1Signature(base, CONSUMER.secret, 'pfkkdhi9sl3r4s00')).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
    const https = signatureBaseString('GET', 'https://photos.example.net/photos', params);
    expect(hmacSha1Signature(https, CONSUMER.secret, 'pfkkdhi9sl3r4s00')).toBe(
      '91yh92rtXzicpezVYjTDNzieVps=',
    );
  });

  it('(b) §3.4.1.1: decoding, duplicates, empty values, + in forms, realm and signature excluded', () => {
    const parsed = parseOAuth1Request({
      method: 'POST',
      url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
      contentType: 'application/x-www-form-urlencoded',
      body: 'c2&a3=2+q',
      authorization:
        'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"',
    });
    expect(parsed.baseString).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
    expect(parsed.oauth.oauth_signature).toBe('bYT5CMsGcbgUdFHObYMEfcx6bsw=');
  });

  it('(c) OAuth Core 1.0 Appendix A, with oauth_version, signed in the query', () => {
    const query = new URLSearchParams({
      file: 'vacation.jpg',
      size: 'original',
      oauth_consumer_key: CONSUMER.key,
      oauth_token: 'nnch734d00sl2jdk',
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '1191242096',
      oauth_nonce: 'kllo9940pd9333jh',
      oauth_version: '1.0',
      oauth_signature: 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=',
    });
    const result = verifyOAuth1Request(
      { method: 'GET', url: `http://photos.example.net/photos?${query}` },
      (key, token) =>
        key === CONSUMER.key && token === 'nnch734d00sl2jdk'
          ? { consumerSecret: CONSUMER.secret, tokenSecret: 'pfkkdhi9sl3r4s00' }
          : undefined,
      { maxSkewSeconds: 0 },
    );
    expect(result).toMatchObject({ ok: true, consumerKey: CONSUMER.key, token: 'nnch734d00sl2jdk' });
  });

  it('normalises scheme, host and default ports in the base string URI', () => {
    expect(signatureBaseString('get', 'HTTP://Example.COM:80/r%20v/X?id=1', [])).toBe(
      'GET&http%3A%2F%2Fexample.com%2Fr%2520v%2FX&',
    );
    expect(signatureBaseString('GET', 'https://example.com:8443/', [])).toBe(
      'GET&https%3A%2F%2Fexample.com%3A8443%2F&',
    );
  });
});

describe('verifyOAuth1Request', () => {
  const url = 'http://photos.example.net/photos?file=vacation.jpg&size=original';
  const sign = (params: Record<string, string>, method = 'GET') => {
    const all: [string, string][] = [
      ['file', 'vacation.jpg'],
      ['size', 'original'],
      ...Object.entries(params),
    ];
    return hmacSha1Signature(signatureBaseString(method, url, all), CONSUMER.secret, 'pfkkdhi9sl3r4s00');
  };
  const oauth = {
    oauth_consumer_key: CONSUMER.key,
    oauth_token: 'nnch734d00sl2jdk',
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: '1700000000',
    oauth_nonce: 'n1',
  };
  const lookup = () => ({ consumerSecret: CONSUMER.secret, tokenSecret: 'pfkkdhi9sl3r4s00' });
  const now = new Date(1_700_000_010_000);

  it('accepts a valid header-signed request and rejects a tampered parameter', () => {
    const authorization = header({ ...oauth, oauth_signature: sign(oauth) });
    expect(verifyOAuth1Request({ method: 'GET', url, authorization }, lookup, { now }).ok).toBe(true);
    const tampered = verifyOAuth1Request(
      { method: 'GET', url: url.replace('original', 'thumb'), authorization },
      lookup,
      { now },
    );
    expect(tampered).toEqual({ ok: false, reason: 'invalid signature' });
    expect(verifyOAuth1Request({ method: 'POST', url, authorization }, lookup, { now }).ok).toBe(false);
  });

  it('rejects stale timestamps, unknown consumers and replayed nonces', () => {
    const authorization = header({ ...oauth, oauth_signature: sign(oauth) });
    expect(
      verifyOAuth1Request({ method: 'GET', url, authorization }, lookup, {
        now: new Date(1_800_000_000_000),
      }),
    ).toEqual({
      ok: false,
      reason: 'timestamp out of range',
    });
    expect(verifyOAuth1Request({ method: 'GET', url, authorization }, () => undefined, { now }).ok).toBe(
      false,
    );
    const seen = new Set<string>();
    const nonceSeen = (k: string, n: string, t: string) => {
      const key = `${k}${n}${t}`;
      const replay = seen.has(key);
      seen.add(key);
      return replay;
    };
    expect(verifyOAuth1Request({ method: 'GET', url, authorization }, lookup, { now, nonceSeen }).ok).toBe(
      true,
    );
    expect(verifyOAuth1Request({ method: 'GET', url, authorization }, lookup, { now, nonceSeen })).toEqual({
      ok: false,
      reason: 'nonce already used',
    });
  });

  it('reports a malformed header instead of throwing', () => {
    const r = verifyOAuth1Request(
      { method: 'GET', url, authorization: 'OAuth oauth_consumer_key="x", garbage' },
      lookup,
      { now },
    );
    expect(r.ok).toBe(false);
  });
});
