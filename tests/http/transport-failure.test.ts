import { describe, expect, it } from 'vitest';
import { classifyTransportError } from '../../misp_modules/http/transport-failure.js';

const TIMEOUTS = { connectMs: 10_000, responseMs: 120_000 };
/** The shape of got's RequestError: a name, a system or OpenSSL code, a message. */
const requestError = (code: string, name = 'RequestError', extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(`${code} while talking to the server`), { name, code, ...extra });

describe('classifyTransportError', () => {
  it.each([
    ['CERT_HAS_EXPIRED', 'expired certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate issued for another host name'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate signed by an unknown authority'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in the chain'],
  ])('reads %s as a rejected certificate, not retried', (code, description) => {
    expect(classifyTransportError(requestError(code), TIMEOUTS)).toEqual({ kind: 'tls', code, description, transient: false, certificateRejected: true });
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN'])('retries %s', (code) => {
    const failure = classifyTransportError(requestError(code), TIMEOUTS);
    expect(failure).toMatchObject({ kind: 'network', code, transient: true });
  });

  it('does not retry a host name that DNS does not know', () => {
    expect(classifyTransportError(requestError('ENOTFOUND'), TIMEOUTS)).toMatchObject({ code: 'ENOTFOUND', transient: false, description: 'host name not found in DNS' });
  });

  it('names the phase and the limit of a timeout', () => {
    expect(classifyTransportError(requestError('ETIMEDOUT', 'TimeoutError', { event: 'connect' }), TIMEOUTS).description).toBe('no connection within 10 s');
    expect(classifyTransportError(requestError('ETIMEDOUT', 'TimeoutError', { event: 'request' }), TIMEOUTS).description).toBe('no complete answer within 120 s');
  });

  it('keeps the message of an unknown failure as a detail for the caller to redact', () => {
    const failure = classifyTransportError(requestError('ERR_GOT_REQUEST_ERROR'), TIMEOUTS);
    expect(failure).toMatchObject({ transient: false, detail: 'ERR_GOT_REQUEST_ERROR while talking to the server' });
  });
});
