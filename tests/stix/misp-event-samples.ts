/**
 * MISP events written for the STIX conversion tests, in the shape of MISP's JSON export (numbers
 * and flags as strings where MISP writes them so). Values use documentation ranges and example
 * domains.
 */

export const ORGANISATION_UUID = '5f0c1d2e-0000-4000-8000-00000000c0de';
export const EVENT_UUID = '11111111-2222-4333-8444-555555555555';

/** Event-level attributes of most kinds, an object of each outcome, tags, galaxies and references. */
export const PHISHING_CAMPAIGN_EVENT = {
  Event: {
    id: '42',
    uuid: EVENT_UUID,
    info: 'Phishing campaign against example.org',
    date: '2024-03-01',
    timestamp: '1709485200',
    publish_timestamp: '1709488800',
    published: true,
    Orgc: { id: '7', name: 'Example CERT', uuid: ORGANISATION_UUID },
    Tag: [{ name: 'tlp:amber' }, { name: 'type:OSINT' }],
    Attribute: [
      {
        uuid: 'a0000001-0000-4000-8000-000000000001',
        type: 'ip-dst',
        category: 'Network activity',
        value: '198.51.100.7',
        to_ids: true,
        timestamp: '1709290000',
        comment: 'C2 server',
      },
      {
        uuid: 'a0000002-0000-4000-8000-000000000002',
        type: 'url',
        category: 'Payload delivery',
        value: "http://example.com/it's\\here",
        to_ids: '1',
        timestamp: 1709290001,
        Tag: [{ name: 'tlp:red' }, { name: 'kill-chain:Delivery' }],
      },
      {
        uuid: 'a0000003-0000-4000-8000-000000000003',
        type: 'filename|sha256',
        category: 'Payload delivery',
        value: 'invoice|2024.pdf.exe|aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f',
        to_ids: true,
        timestamp: '1709290002',
        first_seen: '2024-02-28T10:00:00.000000+00:00',
        last_seen: '2024-03-02T10:00:00.000000+00:00',
      },
      {
        uuid: 'a0000004-0000-4000-8000-000000000004',
        type: 'ip-dst|port',
        category: 'Network activity',
        value: '2001:db8::1|8443',
        to_ids: true,
        timestamp: '1709290003',
      },
      {
        uuid: 'a0000005-0000-4000-8000-000000000005',
        type: 'domain|ip',
        category: 'Network activity',
        value: 'mail.example.net|203.0.113.9',
        to_ids: false,
        timestamp: '1709290004',
        comment: 'Sender infrastructure',
      },
      {
        uuid: 'a0000006-0000-4000-8000-000000000006',
        type: 'AS',
        category: 'Network activity',
        value: 'AS64500',
        to_ids: '0',
        timestamp: '1709290005',
      },
      {
        uuid: 'a0000007-0000-4000-8000-000000000007',
        type: 'text',
        category: 'Other',
        value: 'Lures impersonate the finance department.',
        to_ids: false,
        timestamp: '1709290006',
      },
      {
        uuid: 'a0000008-0000-4000-8000-000000000008',
        type: 'vulnerability',
        category: 'External analysis',
        value: 'CVE-2023-23397',
        to_ids: false,
        timestamp: '1709290007',
      },
      {
        uuid: 'a0000009-0000-4000-8000-000000000009',
        type: 'yara',
        category: 'Payload installation',
        value: 'rule Lure { strings: $a = "invoice" condition: $a }',
        to_ids: true,
        timestamp: '1709290008',
        comment: 'Lure document',
      },
      {
        uuid: 'a000000a-0000-4000-8000-00000000000a',
        type: 'stix2-pattern',
        category: 'Network activity',
        value: "[ipv4-addr:value = '198.51.100.1' AND url:value = 'http://example.com/']",
        to_ids: true,
        timestamp: '1709290009',
      },
      {
        uuid: 'a000000b-0000-4000-8000-00000000000b',
        type: 'btc',
        category: 'Financial fraud',
        value: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT',
        to_ids: true,
        timestamp: '1709290010',
      },
      {
        uuid: 'a000000c-0000-4000-8000-00000000000c',
        type: 'domain',
        category: 'Network activity',
        value: 'withdrawn.example.com',
        to_ids: true,
        deleted: true,
        timestamp: '1709290011',
      },
    ],
    Object: [
      {
        uuid: 'b0000001-0000-4000-8000-000000000001',
        name: 'file',
        meta_category: 'file',
        comment: 'Dropped payload',
        timestamp: '1709290100',
        Attribute: [
          { uuid: 'b1000001-0000-4000-8000-000000000001', object_relation: 'filename', type: 'filename', category: 'Payload delivery', value: 'update.exe', to_ids: false, timestamp: '1709290100' },
          { uuid: 'b1000002-0000-4000-8000-000000000002', object_relation: 'md5', type: 'md5', category: 'Payload delivery', value: '79054025255fb1a26e4bc422aef54eb4', to_ids: true, timestamp: '1709290100' },
          { uuid: 'b1000003-0000-4000-8000-000000000003', object_relation: 'sha1', type: 'sha1', category: 'Payload delivery', value: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', to_ids: true, timestamp: '1709290100' },
          { uuid: 'b1000004-0000-4000-8000-000000000004', object_relation: 'size-in-bytes', type: 'size-in-bytes', category: 'Other', value: '73802', to_ids: false, timestamp: '1709290100' },
          { uuid: 'b1000005-0000-4000-8000-000000000005', object_relation: 'state', type: 'text', category: 'Other', value: 'Malicious', to_ids: false, timestamp: '1709290100' },
        ],
        ObjectReference: [
          { uuid: 'c0000001-0000-4000-8000-000000000001', referenced_uuid: 'a0000001-0000-4000-8000-000000000001', relationship_type: 'communicates-with' },
        ],
      },
      {
        uuid: 'b0000002-0000-4000-8000-000000000002',
        name: 'domain-ip',
        meta_category: 'network',
        timestamp: '1709290200',
        Attribute: [
          { uuid: 'b2000001-0000-4000-8000-000000000001', object_relation: 'domain', type: 'domain', category: 'Network activity', value: 'cdn.example.org', to_ids: false, timestamp: '1709290200' },
          { uuid: 'b2000002-0000-4000-8000-000000000002', object_relation: 'ip', type: 'ip-dst', category: 'Network activity', value: '192.0.2.10', to_ids: false, timestamp: '1709290200' },
          { uuid: 'b2000003-0000-4000-8000-000000000003', object_relation: 'ip', type: 'ip-dst', category: 'Network activity', value: '192.0.2.11', to_ids: false, timestamp: '1709290200' },
        ],
      },
    ],
    Galaxy: [
      {
        type: 'mitre-attack-pattern',
        name: 'Attack Pattern',
        GalaxyCluster: [
          {
            uuid: '2e34237d-8574-43f6-aace-ae2915de8597',
            value: 'Spearphishing Attachment - T1566.001',
            description: 'Adversaries may send spearphishing emails with a malicious attachment.',
            meta: { external_id: ['T1566.001'] },
          },
        ],
      },
      {
        type: 'ransomware',
        GalaxyCluster: [{ uuid: 'd0000001-0000-4000-8000-000000000001', value: 'ExampleLocker' }],
      },
      {
        type: 'sector',
        GalaxyCluster: [{ uuid: 'd0000002-0000-4000-8000-000000000002', value: 'Finance' }],
      },
    ],
  },
};
