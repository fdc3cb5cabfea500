import { MispError } from './misp-error.js';

/**
 * Thrown when the TLS connection to MISP fails: a certificate that is self-signed, signed by an
 * unknown authority, expired, or issued for another host name, or a handshake that cannot succeed
 * (for example https:// towards a plain-HTTP port). Not retried. Carries the TLS error code.
 */
export class MispTlsError extends MispError {
  readonly code: string;
  /** True when the certificate was rejected, false when the handshake itself failed. */
  readonly certificateRejected: boolean;

  constructor(host: string, code: string, description: string, certificateRejected: boolean) {
    super(
      certificateRejected
        ? `The TLS certificate of MISP at ${host} was rejected (${code}: ${description}). ` +
            'Install the certificate authority that signed it in this container (for example with NODE_EXTRA_CA_CERTS), ' +
            'or, only on a trusted network, set verify_ssl to false in the trigger configuration.'
        : `The TLS handshake with MISP at ${host} failed (${code}: ${description}). ` +
            'Check that the scheme and port of misp_url match how MISP is served (https:// for a TLS port, http:// otherwise).',
      host,
    );
    this.name = 'MispTlsError';
    this.code = code;
    this.certificateRejected = certificateRejected;
  }
}
