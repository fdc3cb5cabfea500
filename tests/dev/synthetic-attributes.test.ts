import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseDecayingModels } from '../../misp_modules/decay/decaying-model.js';
import { readDecayScore } from '../../misp_modules/misp/decay-fields.js';
import {
  expectedByFormat,
  expectedPushes,
  syntheticAttributeAt,
  syntheticAttributes,
  syntheticAttributeSource,
  SYNTHETIC_DECAYING_MODEL,
  syntheticDecayingModels,
  type Observable,
  type SyntheticAttribute,
} from '../../misp_modules/dev/synthetic-attributes.js';

const TABLE = ['ip-dst', 'ip-dst|port', 'domain', 'domain|ip', 'url', 'md5', 'sha1', 'sha256', 'filename|md5', 'filename|sha1', 'filename|sha256'];

/** The part of a value that the README's "Supported types" table pushes, before normalisation. */
function candidate(type: string, value: string): string {
  if (type === 'ip-dst|port' || type === 'domain|ip') return value.slice(0, value.indexOf('|'));
  if (type.startsWith('filename|')) return value.slice(value.lastIndexOf('|') + 1);
  return value;
}

/** Strict checks written independently of the generator. */
const CONTROL = /[\u0000-\u001f\u007f]/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CHECKS: Record<Observable, (value: string) => boolean> = {
  'ipv4-addr.value': (value) => isIPv4(value),
  'ipv6-addr.value': (value) => isIPv6(value),
  'domain-name.value': (value) => DOMAIN.test(value),
  'url.value': (value) => /^https?:\/\/[^\s/]+\/\S*$/.test(value) && URL.canParse(value),
  'file.hashes.MD5': (value) => /^[0-9a-f]{32}$/.test(value),
  'file.hashes.SHA-1': (value) => /^[0-9a-f]{40}$/.test(value),
  'file.hashes.SHA-256': (value) => /^[0-9a-f]{64}$/.test(value),
};

function kindOf(type: string): Observable[] {
  if (type.startsWith('ip-dst')) return ['ipv4-addr.value', 'ipv6-addr.value'];
  if (type.startsWith('domain')) return ['domain-name.value'];
  if (type === 'url') return ['url.value'];
  if (type.endsWith('md5')) return ['file.hashes.MD5'];
  if (type.endsWith('sha1')) return ['file.hashes.SHA-1'];
  return ['file.hashes.SHA-256'];
}

const rows: SyntheticAttribute[] = [...syntheticAttributes({ count: 20_000, seed: 7 })];

describe('synthetic attributes', () => {
  it('is deterministic and random-access', () => {
    const again = [...syntheticAttributes({ count: 500, seed: 7 })];
    expect(JSON.stringify(again.map((row) => row.row))).toBe(JSON.stringify(rows.slice(0, 500).map((row) => row.row)));
    const other = [...syntheticAttributes({ count: 500, seed: 8 })];
    expect(other.map((row) => row.row.value)).not.toEqual(again.map((row) => row.row.value));
    for (const index of [0, 249, 250, 12_345, 19_999]) {
      expect(syntheticAttributeAt({ count: 20_000, seed: 7 }, index)).toEqual(rows[index]);
      expect(syntheticAttributeSource({ count: 20_000, seed: 7 }).at(index)).toEqual(rows[index]);
    }
    expect(syntheticAttributeSource({ count: 10 }).at(10)).toBeUndefined();
  });

  it('looks like real restSearch rows, 0.6 to 0.9 kB each on average', () => {
    const sizes = rows.map((row) => Buffer.byteLength(JSON.stringify(row.row)));
    const average = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
    expect(average).toBeGreaterThan(600);
    expect(average).toBeLessThan(900);
    const first = rows[0]!.row;
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['id', 'event_id', 'object_id', 'object_relation', 'category', 'type', 'to_ids', 'uuid', 'timestamp', 'distribution', 'sharing_group_id', 'comment', 'deleted', 'disable_correlation', 'first_seen', 'last_seen', 'value', 'Event']));
    expect(rows.map((row) => Number(row.row.id))).toEqual(rows.map((_, index) => index + 1));
    expect(new Set(rows.map((row) => row.row.uuid)).size).toBe(rows.length);
    // Rows of one event share the event block and its state.
    expect(rows[1]!.row.Event).toBe(rows[0]!.row.Event);
    expect(rows[1]!.event).toBe(rows[0]!.event);
    expect(rows.some((row) => row.row.Object !== undefined)).toBe(true);
    expect(rows.some((row) => row.row.Tag !== undefined)).toBe(true);
    const now = 1_767_225_600;
    for (const { event, row } of rows.slice(0, 1_000)) {
      expect(event.published).toBe(true);
      expect(now - event.publishTimestamp).toBeLessThanOrEqual(7 * 3_600);
      expect(Number(row.timestamp)).toBeLessThanOrEqual(event.publishTimestamp);
    }
  });

  it('mixes every type of the table, non-IDS, deleted, unsupported and invalid rows in the asked shares', () => {
    const types = new Set(rows.map((row) => row.row.type));
    for (const type of TABLE) expect(types).toContain(type);
    const expected = expectedPushes(rows);
    const share = (count: number) => count / rows.length;
    expect(share(expected.rows.notIds)).toBeGreaterThan(0.1);
    expect(share(expected.rows.notIds)).toBeLessThan(0.2);
    expect(share(expected.rows.invalid)).toBeGreaterThan(0.015);
    expect(share(expected.rows.invalid)).toBeLessThan(0.045);
    expect(share(expected.rows.unsupported)).toBeGreaterThan(0.04);
    expect(share(expected.rows.deleted)).toBeGreaterThan(0.003);
    expect(expected.rows.push + expected.rows.invalid + expected.rows.notIds + expected.rows.deleted + expected.rows.unsupported).toBe(rows.length);
    // Repeated values: fewer distinct values than rows that carry one.
    expect(expected.values.size).toBeLessThan(expected.rows.push * 0.95);
    expect(expected.byObservable.get('ipv6-addr.value')?.size ?? 0).toBeGreaterThan(0);
  });

  it('labels every row truthfully, checked by an independent validator', () => {
    for (const { row, expected } of rows) {
      switch (expected.kind) {
        case 'push': {
          expect(TABLE).toContain(row.type);
          expect(row.to_ids && !row.deleted).toBe(true);
          expect(CHECKS[expected.observable](expected.value), `${row.type} ${JSON.stringify(expected.value)}`).toBe(true);
          expect(kindOf(row.type)).toContain(expected.observable);
          const part = candidate(row.type, row.value);
          const normalised = row.type === 'url' || row.type.startsWith('ip-dst') ? part : part.toLowerCase();
          expect(normalised).toBe(expected.value);
          break;
        }
        case 'invalid': {
          expect(row.to_ids && !row.deleted).toBe(true);
          const part = candidate(row.type, row.value);
          const valid = !CONTROL.test(row.value) && kindOf(row.type).some((observable) => CHECKS[observable](part.toLowerCase()));
          expect(valid, `${row.type} ${JSON.stringify(row.value)}`).toBe(false);
          break;
        }
        case 'not-ids':
          expect(row.to_ids).toBe(false);
          break;
        case 'deleted':
          expect(row.deleted).toBe(true);
          break;
        case 'unsupported':
          expect(TABLE).not.toContain(row.type);
          expect(row.to_ids).toBe(true);
          break;
      }
    }
  });

  it('regroups the expected values by upload format', () => {
    const expected = expectedPushes(rows);
    const single = expectedByFormat(expected, () => 'one_per_line');
    expect(single.get('one_per_line')).toEqual(expected.values);
    const split = expectedByFormat(expected, (observable) => (observable.startsWith('file.hashes') ? 'file.hashes' : observable));
    expect([...split.values()].reduce((sum, set) => sum + set.size, 0)).toBe(expected.values.size);
    expect(split.get('file.hashes')?.size).toBe(
      (expected.byObservable.get('file.hashes.MD5')?.size ?? 0) +
        (expected.byObservable.get('file.hashes.SHA-1')?.size ?? 0) +
        (expected.byObservable.get('file.hashes.SHA-256')?.size ?? 0),
    );
  });

  it('produces a million-row data set lazily', () => {
    const options = { count: 1_000_000 };
    // A generator over a million rows allocates nothing up front; read a prefix of it.
    let count = 0;
    for (const { row } of syntheticAttributes(options)) {
      if (++count === 50_000) {
        expect(row.id).toBe('50000');
        break;
      }
    }
    const source = syntheticAttributeSource(options);
    expect(source.length).toBe(1_000_000);
    expect(source.at(999_999)!.row.id).toBe('1000000');
    expect(source.at(999_999)).toEqual(syntheticAttributeAt(options, 999_999));
    expect(source.at(1_000_000)).toBeUndefined();
  });
});

describe('synthetic decay scores', () => {
  it('attach MISP-shaped scores to the supported rows only, leaving every other field as it was', () => {
    const options = { count: 2_000, seed: 5, now: 1_800_000_000 };
    const plain = [...syntheticAttributes(options)];
    const scored = [...syntheticAttributes({ ...options, decayScores: true })];
    scored.forEach((attribute, index) => {
      const { decay_score: score, ...rest } = attribute.row;
      expect(rest).toEqual(plain[index]?.row);
      expect(score === undefined).toBe(attribute.expected.kind === 'unsupported');
      if (score !== undefined) expect(readDecayScore(score)).toEqual([expect.objectContaining({ modelId: SYNTHETIC_DECAYING_MODEL.id })]);
    });
    expect(plain.some((attribute) => 'decay_score' in attribute.row)).toBe(false);
  });

  it('give a mix of decayed and alive values and of base scores, from the rows’ origins', () => {
    const entries = [...syntheticAttributes({ count: 5_000, seed: 9, now: 1_800_000_000, decayScores: true })].flatMap((attribute) => attribute.row.decay_score ?? []);
    const decayed = entries.filter((entry) => entry.decayed).length;
    expect(decayed).toBeGreaterThan(entries.length * 0.1);
    expect(decayed).toBeLessThan(entries.length * 0.9);
    expect(new Set(entries.map((entry) => entry.base_score))).toEqual(new Set([50, 65, 80, 90, 100]));
    expect(parseDecayingModels(syntheticDecayingModels())[0]).toMatchObject({ id: '1', parameters: { lifetime: 30, decaySpeed: 2, threshold: 30 } });
  });
});
