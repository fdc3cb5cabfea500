import { rejection, type Rejection } from './rejection.js';

/**
 * How the pushed part is taken out of a MISP value. Each strategy is one function that knows the
 * shape of a value, never its MISP type.
 */
export interface Extraction {
  /** What the strategy takes, for documentation and error messages. */
  readonly description: string;
  /** The part to validate, or why the value does not have the expected shape. */
  readonly extract: (value: string) => string | Rejection;
}

const NO_PIPE = rejection("is a composite value without its '|' separator");
const NO_PORT_SEPARATOR = rejection("has no port separator: expected address|port or address:port");
const BARE_IPV6_PORT = rejection('is ambiguous: write an IPv6 address with a port as [address]:port or address|port');
const UNCLOSED_BRACKET = rejection("has a '[' without its closing ']'");
const PORT_AFTER_BRACKET = rejection("has no ':port' after the closing ']'");
const BAD_PORT = rejection('has a port that is not a number from 0 to 65535');
const PORT = /^\d{1,5}$/;

function afterBrackets(host: string): string {
  return host.length >= 2 && host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `1.2.3.4|80`, `1.2.3.4:80`, `2001:db8::1|443`, `[2001:db8::1]:443`, `host.example|443`. */
function hostBeforePort(value: string): string | Rejection {
  let host: string;
  let port: string;
  const pipe = value.lastIndexOf('|');
  if (pipe !== -1) {
    host = afterBrackets(value.slice(0, pipe));
    port = value.slice(pipe + 1);
  } else if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close === -1) return UNCLOSED_BRACKET;
    if (value.charCodeAt(close + 1) !== 0x3a) return PORT_AFTER_BRACKET;
    host = value.slice(1, close);
    port = value.slice(close + 2);
  } else {
    const colon = value.indexOf(':');
    if (colon === -1) return NO_PORT_SEPARATOR;
    // More than one ':' is an IPv6 address: its last group cannot be told from a port.
    if (value.indexOf(':', colon + 1) !== -1) return BARE_IPV6_PORT;
    host = value.slice(0, colon);
    port = value.slice(colon + 1);
  }
  if (!PORT.test(port) || Number(port) > 65535) return BAD_PORT;
  return host;
}

/** The extraction strategies the type table may name. */
export const EXTRACTIONS = {
  whole: {
    description: 'the whole value',
    extract: (value: string): string => value,
  },
  'before-first-pipe': {
    description: "the part before the first '|' (e.g. the domain of domain|ip)",
    extract: (value: string): string | Rejection => {
      const pipe = value.indexOf('|');
      return pipe === -1 ? NO_PIPE : value.slice(0, pipe);
    },
  },
  'after-last-pipe': {
    // A filename may itself hold '|': the hash is what follows the last one.
    description: "the part after the last '|' (e.g. the hash of filename|sha256)",
    extract: (value: string): string | Rejection => {
      const pipe = value.lastIndexOf('|');
      return pipe === -1 ? NO_PIPE : value.slice(pipe + 1);
    },
  },
  'host-before-port': {
    description: 'the address or host before the port (address|port, address:port, [IPv6]:port)',
    extract: hostBeforePort,
  },
} as const satisfies Record<string, Extraction>;

export type ExtractionName = keyof typeof EXTRACTIONS;
