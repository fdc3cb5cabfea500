import { describe, expect, it } from 'vitest';
import { observableOf, summariseAccepted, summaryDetails, summaryLine } from '../../misp_modules/dev/collection-summary.js';

const md5 = (n: number): string => n.toString(16).padStart(32, '0');

describe('the collection summary', () => {
  it('counts by observable type, telling hashes apart by length, in a fixed order', () => {
    const accepted = new Map<string, Set<string>>([
      ['file.hashes', new Set([md5(1), md5(2), 'a'.repeat(40), 'b'.repeat(64), 'c'.repeat(128), 'd'.repeat(33)])],
      ['url.value', new Set(['http://a.example.com/x'])],
      ['ipv4-addr.value', new Set(['198.51.100.1', '198.51.100.2'])],
      ['one_per_line', new Set(['whatever'])],
      ['domain-name.value', new Set()],
    ]);
    const summary = summariseAccepted(accepted);
    expect(summary.total).toBe(10);
    expect(summary.byObservable.map(({ observable, count }) => [observable, count])).toEqual([
      ['ipv4-addr.value', 2],
      ['url.value', 1],
      ['file.hashes.MD5', 2],
      ['file.hashes.SHA-1', 1],
      ['file.hashes.SHA-256', 1],
      ['file.hashes.SHA-512', 1],
      ['file.hashes', 1],
      ['one_per_line', 1],
    ]);
    expect(summaryLine(summary, 'in the collection')).toBe(
      'Summary: 10 IOCs in the collection: 2 ipv4-addr.value, 1 url.value, 2 file.hashes.MD5, 1 file.hashes.SHA-1, 1 file.hashes.SHA-256, 1 file.hashes.SHA-512, 1 file.hashes, 1 one_per_line',
    );
  });

  it('keeps the first values of each type as examples', () => {
    const summary = summariseAccepted(new Map([['ipv4-addr.value', new Set(['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'])]]), 2);
    expect(summary.byObservable[0]?.examples).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(summaryDetails(summary)).toEqual(['  4  ipv4-addr.value  e.g. 198.51.100.1, 198.51.100.2']);
  });

  it('says so when nothing was accepted', () => {
    expect(summaryLine(summariseAccepted(new Map()), 'would be pushed')).toBe('Summary: 0 IOCs would be pushed.');
    expect(summaryDetails(summariseAccepted(new Map()))).toEqual([]);
  });

  it('maps only file.hashes by length', () => {
    expect(observableOf('url.value', md5(1))).toBe('url.value');
    expect(observableOf('file.hashes', md5(1))).toBe('file.hashes.MD5');
  });
});
