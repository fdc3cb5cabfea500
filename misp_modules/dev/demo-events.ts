/**
 * The demo's MISP events, made here from a seed rather than taken from anyone: five events in
 * MISP's feed format (`{"Event": {...}}`) that hold what a real instance shows the trigger. Event
 * and object attributes, composite types (`filename|md5`, `filename|sha1`, `filename|sha256`,
 * `ip-dst|port` written with `|` and with `:`, `domain|ip`), IPv6, attributes not flagged for IDS and soft-deleted ones,
 * types the trigger does not sync, values repeated across events and in other letter cases, and
 * one event of values the validator must refuse, one of each kind. The same seed always gives the
 * same bytes; the values are random and are no threat data.
 */
import { defaultCategory } from '../feed/indicator-type.js';
import { flattenEvent, MispIdAllocator, type DemoAttribute, type FlattenOptions } from './misp-events.js';
import { domainFor, filenameFor, hashFor, hex, ipFor, mulberry32, pick, urlFor, uuidFrom, WORDS, type Random } from './synthetic-attributes.js';

/** The seed of the demo that `trigger:dev` runs; its numbers are those the README shows. */
export const DEMO_SEED = 20_260_101;

/** The event an analyst keeps editing between demo cycles: its info starts with this. */
export const DEMO_EDITED_EVENT_INFO = 'Demo: values the trigger must refuse';

type Json = Record<string, unknown>;

/** One event as a MISP feed holds it. */
export interface DemoEventDocument {
  Event: Json & { uuid: string; info: string; Attribute: Json[]; Object: Json[] };
}

/** 2025-01-01T00:00:00Z: the demo events date from the weeks after it, long before any run. */
const DEMO_EPOCH = 1_735_689_600;
const DAY = 86_400;
const ORGANISATION = { name: 'Demo CERT', uuid: '5d1c3e9a-0b7e-4c52-9c1f-6f2d7a4b8e10' };
const TLP_CLEAR = { name: 'tlp:clear', colour: '#ffffff', exportable: true };

/** Hands out the demo's values and uuids, each drawn once from the seed. */
class DemoValues {
  readonly random: Random;
  private next: number;
  private uuids = 0;

  constructor(seed: number) {
    this.random = mulberry32(seed);
    this.next = (seed % 100_000) * 1_000;
  }

  uuid(): string {
    return uuidFrom(this.random, ++this.uuids);
  }
  number(): number {
    return this.next++;
  }
  ipv4(): string {
    return this.ip('ipv4-addr.value');
  }
  ipv6(): string {
    return this.ip('ipv6-addr.value');
  }
  private ip(observable: string): string {
    for (;;) {
      const ip = ipFor(this.next++);
      if (ip.observable === observable) return ip.value;
    }
  }
  domain(): string {
    return domainFor(this.number());
  }
  url(): string {
    return urlFor(this.number());
  }
  hash(algorithm: 'md5' | 'sha1' | 'sha256'): string {
    return hashFor(this.number(), algorithm);
  }
  filename(): string {
    return filenameFor(this.number());
  }
  port(): number {
    return pick(this.random, [80, 443, 447, 449, 8080, 8443, 4443, 993]);
  }
}

interface AttributeOptions {
  ids?: boolean;
  deleted?: boolean;
  comment?: string;
  relation?: string;
  category?: string;
  tags?: string[];
}

/** Builds one event, its attributes timestamped in order after its date. */
class EventBuilder {
  readonly attributes: Json[] = [];
  readonly objects: Json[] = [];
  private clock: number;

  constructor(
    private readonly values: DemoValues,
    private readonly created: number,
  ) {
    this.clock = created;
  }

  attribute(type: string, value: string, options: AttributeOptions = {}): Json {
    const attribute: Json = {
      uuid: this.values.uuid(),
      type,
      category: options.category ?? defaultCategory(type),
      to_ids: options.ids ?? true,
      value,
      timestamp: String((this.clock += 37)),
      distribution: '5',
      sharing_group_id: '0',
      comment: options.comment ?? '',
      deleted: options.deleted ?? false,
      disable_correlation: false,
    };
    if (options.relation !== undefined) attribute.object_relation = options.relation;
    if (options.tags) attribute.Tag = options.tags.map((name) => ({ name, colour: '#004646', exportable: true }));
    return attribute;
  }

  add(type: string, value: string, options: AttributeOptions = {}): void {
    this.attributes.push(this.attribute(type, value, options));
  }

  /** An object of MISP's templates; its attributes are [relation, type, value, options?]. */
  object(name: string, metaCategory: string, members: Array<[string, string, string, AttributeOptions?]>): void {
    this.objects.push({
      uuid: this.values.uuid(),
      name,
      'meta-category': metaCategory,
      description: `${name} object of the demo`,
      template_version: '1',
      distribution: '5',
      sharing_group_id: '0',
      timestamp: String(this.clock + 1),
      comment: '',
      deleted: false,
      Attribute: members.map(([relation, type, value, options]) => this.attribute(type, value, { ...options, relation })),
    });
  }

  document(info: string, day: number, published: boolean): DemoEventDocument {
    const date = new Date(this.created * 1000).toISOString().slice(0, 10);
    return {
      Event: {
        uuid: this.values.uuid(),
        info,
        date,
        analysis: '2',
        threat_level_id: String(1 + (day % 3)),
        distribution: '3',
        published,
        publish_timestamp: published ? String(this.clock + 600) : '0',
        timestamp: String(this.clock + 60),
        Orgc: ORGANISATION,
        Tag: [TLP_CLEAR],
        Attribute: this.attributes,
        Object: this.objects,
      },
    };
  }
}

const upper = (value: string): string => value.toUpperCase();
/** The first letter of each label in capitals: valid once lower-cased. */
const capitalised = (domain: string): string => domain.replace(/(^|\.)([a-z])/g, (_, dot: string, letter: string) => `${dot}${letter.toUpperCase()}`);

/** Values several events share, so that the trigger sends each of them once. */
interface SharedValues {
  domains: string[];
  ipv4: string[];
  ipv6: string[];
  md5: string[];
  sha256: string[];
  urls: string[];
}

function sharedValues(values: DemoValues): SharedValues {
  const many = <T>(count: number, make: () => T): T[] => Array.from({ length: count }, make);
  return {
    domains: many(6, () => values.domain()),
    ipv4: many(6, () => values.ipv4()),
    ipv6: many(2, () => values.ipv6()),
    md5: many(4, () => values.hash('md5')),
    sha256: many(4, () => values.hash('sha256')),
    urls: many(3, () => values.url()),
  };
}

/** A phishing wave: domains, URLs, addresses with ports in both notations, e-mail senders. */
function phishingEvent(values: DemoValues, shared: SharedValues): DemoEventDocument {
  const event = new EventBuilder(values, DEMO_EPOCH + 9 * DAY);
  for (const domain of shared.domains.slice(0, 4)) event.add('domain', domain, { comment: 'Landing page of the phishing e-mails.' });
  for (let i = 0; i < 8; i++) event.add('domain', i % 4 === 0 ? capitalised(values.domain()) : values.domain());
  for (const url of shared.urls) event.add('url', url);
  for (let i = 0; i < 9; i++) event.add('url', values.url(), { tags: i === 0 ? ['kill-chain:delivery'] : undefined });
  for (const ip of shared.ipv4.slice(0, 3)) event.add('ip-dst', ip);
  for (let i = 0; i < 5; i++) event.add('ip-dst|port', `${values.ipv4()}|${values.port()}`);
  for (let i = 0; i < 4; i++) event.add('ip-dst|port', `${values.ipv4()}:${values.port()}`, { comment: 'Written address:port, as some imports do.' });
  event.add('ip-dst|port', `[${shared.ipv6[0] as string}]:443`);
  event.add('ip-dst|port', `${values.ipv6()}|8443`);
  for (let i = 0; i < 3; i++) event.add('domain|ip', `${values.domain()}|${values.ipv4()}`);
  for (let i = 0; i < 4; i++) event.add('email-src', `${pick(values.random, WORDS)}.${values.number()}@${values.domain()}`, { category: 'Payload delivery' });
  event.add('domain', values.domain(), { ids: false, comment: 'Legitimate service abused by the campaign: context only.' });
  event.add('text', 'Subject lines seen: "Facture en attente", "Ihre Rechnung", "Invoice overdue".', { ids: false });
  event.add('url', values.url(), { ids: true, deleted: true, comment: 'Removed: a false positive.' });
  event.object('domain-ip', 'network', [
    ['domain', 'domain', shared.domains[4] as string],
    ['ip', 'ip-dst', shared.ipv4[3] as string],
    ['first-seen', 'datetime', '2025-01-09T08:15:00+00:00', { ids: false }],
  ]);
  event.object('url', 'network', [
    ['url', 'url', values.url()],
    ['host', 'hostname', `www.${values.domain()}`],
    ['resource_path', 'text', '/invoice/view.php', { ids: false }],
  ]);
  return event.document('Demo: phishing wave delivering a loader', 9, true);
}

/** The loader's files: every hash type, plain and with a file name, and file objects. */
function payloadEvent(values: DemoValues, shared: SharedValues): DemoEventDocument {
  const event = new EventBuilder(values, DEMO_EPOCH + 11 * DAY);
  for (const md5 of shared.md5) event.add('md5', md5);
  for (let i = 0; i < 10; i++) event.add('md5', i % 5 === 0 ? upper(values.hash('md5')) : values.hash('md5'));
  for (let i = 0; i < 12; i++) event.add('sha1', values.hash('sha1'));
  for (const sha256 of shared.sha256.slice(0, 2)) event.add('sha256', sha256);
  for (let i = 0; i < 10; i++) event.add('sha256', values.hash('sha256'));
  // The same hashes again with the file names they were seen under.
  for (const md5 of shared.md5.slice(0, 2)) event.add('filename|md5', `${values.filename()}|${upper(md5)}`);
  for (let i = 0; i < 6; i++) event.add('filename|md5', `${values.filename()}|${values.hash('md5')}`);
  for (let i = 0; i < 5; i++) event.add('filename|sha1', `${values.filename()}|${values.hash('sha1')}`);
  event.add('filename|sha1', `Rechnung|Kopie.pdf.exe|${values.hash('sha1')}`, { comment: 'A file name holding the separator: the hash is after the last one.' });
  for (const sha256 of shared.sha256.slice(2)) event.add('filename|sha256', `${values.filename()}|${sha256}`);
  for (let i = 0; i < 6; i++) event.add('filename|sha256', `${values.filename()}|${values.hash('sha256')}`);
  event.add('ssdeep', `3072:${hex(values.random, 40)}:${hex(values.random, 20)}`);
  event.add('filename', values.filename());
  event.add('sha256', values.hash('sha256'), { ids: false, comment: 'Benign installer bundled with the loader: context only.' });
  event.add('md5', values.hash('md5'), { deleted: true, comment: 'Removed: a hash of the wrong sample.' });
  for (let i = 0; i < 4; i++) {
    event.object('file', 'file', [
      ['filename', 'filename', values.filename()],
      ['md5', 'md5', values.hash('md5')],
      ['sha1', 'sha1', values.hash('sha1')],
      ['sha256', 'sha256', i === 0 ? (shared.sha256[0] as string) : values.hash('sha256')],
      ['size-in-bytes', 'size-in-bytes', String(40_000 + i * 1_337), { ids: false }],
    ]);
  }
  return event.document('Demo: loader payloads and their droppers', 11, true);
}

/** The command-and-control servers: IPv4 and IPv6, ports, domains and URLs seen before. */
function infrastructureEvent(values: DemoValues, shared: SharedValues): DemoEventDocument {
  const event = new EventBuilder(values, DEMO_EPOCH + 16 * DAY);
  for (const ip of shared.ipv4) event.add('ip-dst', ip, { comment: 'Also in the phishing wave.' });
  for (let i = 0; i < 10; i++) event.add('ip-dst', values.ipv4(), { tags: i < 2 ? ['tlp:amber'] : undefined });
  for (const ip of shared.ipv6) event.add('ip-dst', ip);
  for (let i = 0; i < 4; i++) event.add('ip-dst', values.ipv6());
  for (let i = 0; i < 4; i++) event.add('ip-dst|port', `${values.ipv4()}|${values.port()}`);
  for (const domain of shared.domains) event.add('domain', domain);
  for (let i = 0; i < 4; i++) event.add('domain', values.domain());
  for (const url of shared.urls.slice(0, 2)) event.add('url', url);
  for (let i = 0; i < 5; i++) event.add('url', values.url());
  event.add('ip-src', values.ipv4(), { comment: 'Scanner seen in our logs.' });
  event.add('hostname', `mail.${values.domain()}`);
  event.add('ip-dst', values.ipv4(), { ids: false, comment: 'Sinkhole: context only.' });
  event.add('comment', 'Servers answer on TLS with a self-signed certificate.', { ids: false });
  for (let i = 0; i < 3; i++) {
    event.object('ip-port', 'network', [
      ['ip', 'ip-dst', i === 0 ? (shared.ipv6[1] as string) : values.ipv4()],
      ['dst-port', 'port', String(values.port()), { ids: false }],
      ['domain', 'domain', values.domain()],
    ]);
  }
  return event.document('Demo: command-and-control infrastructure', 16, true);
}

/** An event still being written (never published), as MISP shows drafts: some values already flagged. */
function draftEvent(values: DemoValues, shared: SharedValues): DemoEventDocument {
  const event = new EventBuilder(values, DEMO_EPOCH + 20 * DAY);
  for (let i = 0; i < 6; i++) event.add('ip-dst', values.ipv4());
  for (let i = 0; i < 4; i++) event.add('domain', values.domain());
  for (let i = 0; i < 4; i++) event.add('url', values.url());
  for (let i = 0; i < 6; i++) event.add('sha1', values.hash('sha1'));
  event.add('md5', upper(shared.md5[3] as string), { comment: 'Seen before, in capitals this time.' });
  event.add('email-src', `billing.${values.number()}@${values.domain()}`, { category: 'Payload delivery' });
  for (let i = 0; i < 3; i++) event.add('domain', values.domain(), { ids: false, comment: 'To be checked.' });
  return event.document('Demo: second wave, analysis in progress', 20, false);
}

/**
 * The traps: one value for each reason the validator refuses one, each with its reason in the
 * comment, beside valid values of the same types. Its domain-ip object holds the domain the demo
 * analyst edits between cycles.
 */
function refusalsEvent(values: DemoValues): DemoEventDocument {
  const event = new EventBuilder(values, DEMO_EPOCH + 23 * DAY);
  const domain = values.domain();
  const ip = values.ipv4();
  const md5 = values.hash('md5');
  const sha1 = values.hash('sha1');
  const sha256 = values.hash('sha256');
  const url = values.url();
  const invalid: Array<[string, string, string]> = [
    ['domain', `${domain}\n${values.domain()}`, 'a line break: it would add a line to the upload'],
    ['domain', domain.replace(/\.(?=[^.]+$)/, '[.]'), 'defanged'],
    ['domain', domain.replace('.', '..'), 'an empty label'],
    ['domain', domain.split('.')[0] as string, 'a single label'],
    ['domain', `${domain.slice(0, 4)} ${domain.slice(4)}`, 'a space'],
    ['domain', '107.183.86', 'all digits and dots: a broken address, not a domain'],
    ['domain|ip', `-${domain}|${ip}`, 'a label starting with a hyphen'],
    ['ip-dst', `${ip}:8080`, 'an address with a port, which belongs in ip-dst|port'],
    ['ip-dst', `${values.ipv4()}\n`, 'a trailing line break'],
    ['ip-dst', `${ip.split('.').slice(0, 3).join('.')}.0/24`, 'a CIDR range, not an address'],
    ['ip-dst', '127.0.0.1', 'loopback'],
    ['ip-dst', '224.0.0.251', 'multicast'],
    ['ip-dst', '0.0.0.0', 'unspecified'],
    ['ip-dst', 'fe80::1%eth0', 'an IPv6 zone'],
    ['ip-dst|port', `300${ip.slice(ip.indexOf('.'))}|443`, 'an octet above 255'],
    ['ip-dst|port', `${values.ipv4()}|70000`, 'a port above 65535'],
    ['ip-dst|port', values.ipv4(), 'no port'],
    ['ip-dst|port', `${values.ipv6()}:443`, 'an IPv6 address and a port without brackets: ambiguous'],
    ['url', url.replace('/', '/\t'), 'a tab'],
    ['url', url.replace(/^https?/, 'hxxp'), 'defanged'],
    ['url', 'http://107.183.86/gate.php', 'a host that is neither a domain nor an address'],
    ['url', 'invoice_0425.exe', 'a file name: no scheme and no top-level domain'],
    ['md5', md5.slice(1), '31 digits'],
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'the MD5 of empty input: it matches every empty file'],
    ['sha1', `${sha1}0`, '41 digits'],
    ['sha256', `${sha256.slice(0, 63)}z`, 'not hexadecimal'],
    ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'the SHA-256 of empty input'],
    ['filename|md5', `${values.filename()}${md5}`, 'no separator'],
    ['filename|sha1', `${values.filename()}|not-a-hash`, 'a hash part that is no hash'],
    ['filename|sha256', `${values.filename()}|${sha256.slice(0, 40)}`, 'a SHA-1 where a SHA-256 belongs'],
  ];
  for (const [type, value, why] of invalid) event.add(type, value, { comment: `INVALID: ${why}.` });
  // Valid ones beside them, some only once lower-cased.
  event.add('domain', domain.toUpperCase(), { comment: 'Valid once lower-cased.' });
  event.add('md5', upper(md5), { comment: 'Valid once lower-cased.' });
  event.add('filename|sha1', `${values.filename()}|${upper(sha1)}`);
  event.add('domain|ip', `${values.domain()}|${values.ipv6()}`);
  event.add('url', url);
  event.add('sha256', sha256);
  event.add('ip-dst', ip);
  event.add('domain', values.domain(), { ids: false, comment: 'Not flagged for IDS: never pushed.' });
  event.add('domain', values.domain(), { deleted: true, comment: 'Soft-deleted: never pushed.' });
  event.object('domain-ip', 'network', [
    ['domain', 'domain', values.domain()],
    ['ip', 'ip-dst', values.ipv4()],
    ['text', 'text', 'The demo analyst edits the domain of this object between cycles.', { ids: false }],
  ]);
  return event.document(`${DEMO_EDITED_EVENT_INFO}, one of each kind, beside valid ones`, 23, true);
}

/** The demo events of a seed, in a fixed order; the same seed always gives the same events. */
export function generateDemoEvents(seed: number = DEMO_SEED): DemoEventDocument[] {
  const values = new DemoValues(seed);
  const shared = sharedValues(values);
  return [phishingEvent(values, shared), payloadEvent(values, shared), infrastructureEvent(values, shared), draftEvent(values, shared), refusalsEvent(values)];
}

/** An event as the file a MISP feed serves for it. */
export function demoEventFile(document: DemoEventDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The demo events (generated from `seed`) as restSearch rows, with one id sequence. */
export function loadDemoAttributes(options: FlattenOptions = {}, seed: number = DEMO_SEED): DemoAttribute[] {
  const ids = new MispIdAllocator();
  return generateDemoEvents(seed).flatMap((document) => flattenEvent(document, ids, options, `demo event ${document.Event.uuid}`));
}
