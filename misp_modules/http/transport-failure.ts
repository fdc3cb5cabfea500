/** How a request that got no HTTP answer failed, in the terms the retry loop and the errors need. */
export interface TransportFailure {
  kind: 'tls' | 'network';
  code: string;
  description: string;
  /** Worth another attempt: the same request may well succeed in a moment. */
  transient: boolean;
  /** For TLS: the certificate was rejected (as opposed to a handshake that failed). */
  certificateRejected: boolean;
  /** For an error without a known code: its own message, raw (the caller redacts it before showing it). */
  detail?: string | undefined;
}

/** Certificate verdicts of OpenSSL and Node, with the words an operator knows them by. */
const CERTIFICATE_ERRORS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by an unknown authority',
  CERT_UNTRUSTED: 'untrusted certificate',
  CERT_REJECTED: 'rejected certificate',
  CERT_SIGNATURE_FAILURE: 'invalid certificate signature',
  INVALID_CA: 'invalid certificate authority',
  CERT_HAS_EXPIRED: 'expired certificate',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate issued for another host name',
  HOSTNAME_MISMATCH: 'certificate issued for another host name',
};

/** Failures that a moment later may not happen again; the rest (e.g. ENOTFOUND, a mistyped host) are not retried. */
const TRANSIENT_NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNRESET: 'connection reset',
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EAI_AGAIN: 'temporary DNS failure',
  EPIPE: 'connection closed while sending',
  ECONNABORTED: 'connection aborted',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed before the answer was complete',
};

const PERMANENT_NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'host name not found in DNS',
};

/** got's timeout events: what did not happen in time, and which of our two limits applied. */
const TIMEOUT_PHASES: Readonly<Record<string, { what: string; connecting: boolean }>> = {
  lookup: { what: 'no DNS answer', connecting: true },
  connect: { what: 'no connection', connecting: true },
  secureConnect: { what: 'no TLS handshake', connecting: true },
  request: { what: 'no complete answer', connecting: false },
};

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/**
 * Classifies the error of a request that got no HTTP answer (got's RequestError and its subclasses).
 * Reads codes and names; the message only when there is no known code, returned raw as `detail`
 * for the caller to redact. The error's options are never read: they hold the request headers.
 */
export function classifyTransportError(error: unknown, timeouts: { connectMs: number; responseMs: number }): TransportFailure {
  const name = stringField(error, 'name');
  const code = stringField(error, 'code') ?? stringField((error as { cause?: unknown } | null)?.cause, 'code') ?? 'ERR_UNKNOWN';
  if (name === 'TimeoutError') {
    const phase = TIMEOUT_PHASES[stringField(error, 'event') ?? 'request'] ?? { what: 'no answer', connecting: false };
    const seconds = (phase.connecting ? timeouts.connectMs : timeouts.responseMs) / 1000;
    return { kind: 'network', code: 'ETIMEDOUT', description: `${phase.what} within ${seconds} s`, transient: true, certificateRejected: false };
  }
  const certificate = CERTIFICATE_ERRORS[code];
  if (certificate !== undefined) return { kind: 'tls', code, description: certificate, transient: false, certificateRejected: true };
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return { kind: 'tls', code, description: 'TLS handshake failed', transient: false, certificateRejected: false };
  }
  const transient = TRANSIENT_NETWORK_ERRORS[code];
  if (transient !== undefined) return { kind: 'network', code, description: transient, transient: true, certificateRejected: false };
  if (name === 'ReadError') {
    return { kind: 'network', code, description: 'the answer was cut off', transient: true, certificateRejected: false };
  }
  const permanent = PERMANENT_NETWORK_ERRORS[code];
  if (permanent !== undefined) return { kind: 'network', code, description: permanent, transient: false, certificateRejected: false };
  const detail = stringField(error, 'message');
  return { kind: 'network', code, description: 'the request failed', transient: false, certificateRejected: false, detail };
}
