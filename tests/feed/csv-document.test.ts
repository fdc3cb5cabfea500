import { describe, expect, it } from 'vitest';
import { extractFromCsv, splitCsvRow } from '../../misp_modules/feed/csv-document.js';
import { parseFeedSettings } from '../../misp_modules/feed/feed-settings.js';

describe('CSV rows as MISP reads them', () => {
  it.each([
    ['a,b,c', ',', ['a', 'b', 'c']],
    ['"a,b",c', ',', ['a,b', 'c']],
    ['"say ""hi""",x', ',', ['say "hi"', 'x']],
    ['a,,c,', ',', ['a', '', 'c', '']],
    ['x"y",z', ',', ['x"y"', 'z']],
    ['a|b|c', '|', ['a', 'b', 'c']],
    ['a\tb', '\t', ['a', 'b']],
    ['one##comma##two', '##comma##', ['one', 'two']],
    ['"unclosed,cell', ',', ['unclosed,cell']],
  ] as const)('%j split on %j', (line, delimiter, cells) => {
    expect(splitCsvRow(line, delimiter)).toEqual(cells);
  });

  it('skips comment rows and empty lines, takes the chosen columns, trims quotes and blanks, and keeps each value once', () => {
    const text = ['# comment, 203.0.113.1', '', ' 203.0.113.2 ; \'evil-site.com\' ; x', '203.0.113.2;other-evil.net;203.0.113.3', '   ', "#203.0.113.4;evil-x.com"].join('\n');
    const all = [...extractFromCsv(text, parseFeedSettings('{"csv":{"value":"","delimiter":";"}}'))].map((found) => `${found.type} ${found.value}`);
    expect(all).toEqual(['ip-dst 203.0.113.2', 'domain evil-site.com', 'domain other-evil.net', 'ip-dst 203.0.113.3']);
    const second = [...extractFromCsv(text, parseFeedSettings('{"csv":{"value":"2","delimiter":";"}}'))].map((found) => found.value);
    expect(second).toEqual(['evil-site.com', 'other-evil.net']);
    const excluded = [...extractFromCsv(text, parseFeedSettings('{"csv":{"value":"1,3","delimiter":";"},"common":{"excluderegex":"/\\\\.3$/"}}'))].map((found) => found.value);
    expect(excluded).toEqual(['203.0.113.2']);
  });
});
