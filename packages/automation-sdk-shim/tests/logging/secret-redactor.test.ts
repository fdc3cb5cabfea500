import { describe, expect, it } from 'vitest';
import { processSecrets as fromIndex } from '../../src/index.js';
import { processSecrets } from '../../src/logging/process-secrets.js';
import { REDACTED, SecretRedactor } from '../../src/logging/secret-redactor.js';

describe('SecretRedactor', () => {
  it('replaces a raw secret wherever it appears', () => {
    const redactor = new SecretRedactor();
    redactor.addSecret('s3cr3t-KEY');
    const text = redactor.redact('key=s3cr3t-KEY, again s3cr3t-KEY.');
    expect(text).not.toContain('s3cr3t-KEY');
    expect(text).toBe(`key=${REDACTED}, again ${REDACTED}.`);
  });

  it('replaces the URL-encoded and form-encoded forms of a secret', () => {
    const redactor = new SecretRedactor();
    const secret = 'a/b+c d=e&f';
    redactor.addSecret(secret);
    const encoded = encodeURIComponent(secret);
    const form = new URLSearchParams({ k: secret }).toString().slice(2);
    expect(encoded).not.toBe(secret);
    expect(form).not.toBe(encoded);
    for (const form_ of [encoded, form]) {
      const text = redactor.redact(`GET https://misp.example/x?key=${form_} failed`);
      expect(text).not.toContain(form_);
      expect(text).toContain(REDACTED);
    }
  });

  it('replaces the JSON-escaped form of a secret', () => {
    const redactor = new SecretRedactor();
    redactor.addSecret('quote"back\\slash');
    const text = redactor.redact(JSON.stringify({ key: 'quote"back\\slash' }));
    expect(text).not.toContain('back\\\\slash');
    expect(text).toBe(`{"key":"${REDACTED}"}`);
  });

  it('ignores empty and missing values', () => {
    const redactor = new SecretRedactor();
    redactor.addSecret('');
    redactor.addSecret('   ');
    redactor.addSecret(undefined);
    redactor.addProxyUrl(undefined);
    redactor.addProxyUrl('');
    expect(redactor.redact('nothing to hide here')).toBe('nothing to hide here');
  });

  it('replaces the longest secret first', () => {
    const redactor = new SecretRedactor();
    redactor.addSecret('abc');
    redactor.addSecret('abcdef');
    expect(redactor.redact('x abcdef y abc')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('redacts the password and the user:password pair of a proxy URL, raw and decoded', () => {
    const redactor = new SecretRedactor();
    redactor.addProxyUrl('http://proxyuser:p%40ss%3Aw0rd@proxy.internal:3128');
    const cases = [
      'password p%40ss%3Aw0rd leaked',
      'password p@ss:w0rd leaked',
      'pair proxyuser:p%40ss%3Aw0rd leaked',
      'pair proxyuser:p@ss:w0rd leaked',
    ];
    for (const message of cases) {
      const text = redactor.redact(message);
      expect(text).not.toMatch(/w0rd/);
      expect(text).toContain(REDACTED);
    }
    // The pair goes whole: the user name does not stay glued to the marker.
    expect(redactor.redact('pair proxyuser:p@ss:w0rd leaked')).toBe(`pair ${REDACTED} leaked`);
    // The user name alone is not a secret.
    expect(redactor.redact('user proxyuser')).toBe('user proxyuser');
  });

  it('redacts a proxy URL without a scheme and one with a raw special character', () => {
    const redactor = new SecretRedactor();
    redactor.addProxyUrl('bob:hunter2!x@10.0.0.1:8080');
    expect(redactor.redact('using hunter2!x')).toBe(`using ${REDACTED}`);
    const other = new SecretRedactor();
    other.addProxyUrl('https://alice:p@ss@proxy:443');
    const text = other.redact('proxy said no to alice:p@ss');
    expect(text).not.toContain('p@ss');
    expect(text).toContain(REDACTED);
  });

  it('redacts a token given as the user name of a proxy URL', () => {
    const redactor = new SecretRedactor();
    redactor.addProxyUrl('http://tok3nvalue@proxy:3128');
    expect(redactor.redact('sent tok3nvalue')).toBe(`sent ${REDACTED}`);
  });

  it('registers nothing for a proxy URL without credentials', () => {
    const redactor = new SecretRedactor();
    redactor.addProxyUrl('http://proxy.internal:3128');
    expect(redactor.redact('proxy.internal 3128 http')).toBe('proxy.internal 3128 http');
  });

  it('redacts the userinfo of any URL it was never told about', () => {
    const redactor = new SecretRedactor();
    const text = redactor.redact(
      'connect via socks5://someone:unknownpass@10.1.2.3:1080 then https://tok@api.example/x?y=z@w',
    );
    expect(text).not.toContain('unknownpass');
    expect(text).not.toContain('someone');
    expect(text).not.toContain('tok@');
    expect(text).toBe(
      `connect via socks5://${REDACTED}@10.1.2.3:1080 then https://${REDACTED}@api.example/x?y=z@w`,
    );
  });

  it('leaves URLs without userinfo and e-mail addresses alone', () => {
    const redactor = new SecretRedactor();
    const text = 'see https://misp.example/events/view/1 or write to soc@example.org';
    expect(redactor.redact(text)).toBe(text);
  });

  it('redacts each piece of a secret made of header lines or of a scheme and its credentials', () => {
    const redactor = new SecretRedactor();
    redactor.addSecret('Authorization: Bearer feed-t0ken-1234\nX-Api-Key: k3y-5678');
    redactor.addSecret('Basic dXNlcjpwYXNz');
    const line = redactor.redact('sent feed-t0ken-1234, then k3y-5678 and dXNlcjpwYXNz; the header was X-Api-Key: k3y-5678');
    expect(line).not.toMatch(/feed-t0ken-1234|k3y-5678|dXNlcjpwYXNz/);
    expect(line.startsWith(`sent ${REDACTED}, then ${REDACTED} and ${REDACTED};`)).toBe(true);
  });

  it('replaces a short secret only where it stands alone, so that logs stay readable', () => {
    const redactor = new SecretRedactor();
    redactor.addSecret('t');
    redactor.addSecret('abc12');
    expect(redactor.redact('the token t was sent; abc12 too; xabc12y and the letter t in text')).toBe(
      `the token ${REDACTED} was sent; ${REDACTED} too; xabc12y and the letter ${REDACTED} in text`,
    );
  });

  it('registers the credentials a URL carries: user, password (as written and decoded) and key-long query values', () => {
    const redactor = new SecretRedactor();
    redactor.addUrlCredentials(new URL('https://feed-user:p%40ss-w0rd@feeds.example.org/list/?format=text&key=url-s3cr3t-token'));
    const text = redactor.redact('p@ss-w0rd, p%40ss-w0rd, url-s3cr3t-token, feed-user:p%40ss-w0rd, a free-text feed');
    expect(text).toBe(`${REDACTED}, ${REDACTED}, ${REDACTED}, ${REDACTED}, a free-text feed`);
  });

  it('registers the credential of any authorization scheme alone, not only the usual ones', () => {
    const redactor = new SecretRedactor();
    redactor.addSecret('FeedKey 9f8e7d6c5b4a');
    expect(redactor.redact('key 9f8e7d6c5b4a refused')).toBe(`key ${REDACTED} refused`);
  });
});

describe('processSecrets', () => {
  it('is one registry per process, whichever way it is imported', () => {
    expect(fromIndex).toBe(processSecrets);
    expect(processSecrets).toBe((globalThis as Record<symbol, unknown>)[Symbol.for('@sekoia/automation-sdk-shim:process-secrets')]);
    processSecrets.addSecret('process-wide-secret-3c2b');
    expect(fromIndex.redact('process-wide-secret-3c2b')).toBe(REDACTED);
  });
});
