import { describe, expect, it } from 'vitest';
import { createLocalFilter, restSearchFilters, type AttributeFilterSettings } from '../../misp_modules/filters/attribute-filter.js';

const base: AttributeFilterSettings = { tags: [], organisations: [], types: ['ip-dst', 'domain'], enforceWarninglist: false };
const event = (tags: string[], orgName = 'CIRCL', orgUuid = '55f6ea5e-2c60-40e5-964f-47a8950d210f') => ({ tags, orgName, orgUuid });

describe('restSearchFilters', () => {
  it('asks MISP for the chosen types only, and nothing else by default', () => {
    expect(restSearchFilters(base)).toEqual({ type: ['ip-dst', 'domain'] });
  });

  it('passes tags in MISP syntax, organisations and warninglist enforcement', () => {
    expect(restSearchFilters({ tags: ['tlp:clear', '!tlp:red'], organisations: ['CERT-FR'], types: ['url'], enforceWarninglist: true })).toEqual({
      type: ['url'],
      tags: ['tlp:clear', '!tlp:red'],
      org: ['CERT-FR'],
      enforceWarninglist: 1,
    });
  });
});

describe('createLocalFilter (a feed, where no MISP applies the filters)', () => {
  it('keeps only the chosen types', () => {
    const filter = createLocalFilter(base);
    expect(filter.acceptsAttribute('domain', [], event([]))).toBe(true);
    expect(filter.acceptsAttribute('url', [], event([]))).toBe(false);
  });

  it('requires one of the tags on the attribute or its event, without case', () => {
    const filter = createLocalFilter({ ...base, tags: ['tlp:clear', 'tlp:white'] });
    expect(filter.acceptsAttribute('domain', ['TLP:CLEAR'], event([]))).toBe(true);
    expect(filter.acceptsAttribute('domain', [], event(['tlp:white']))).toBe(true);
    expect(filter.acceptsAttribute('domain', ['tlp:amber'], event(['tlp:green']))).toBe(false);
  });

  it('excludes a tag found on the attribute or on its event, and supports % wildcards', () => {
    const filter = createLocalFilter({ ...base, tags: ['!tlp:red', '!admiralty-scale:%'] });
    expect(filter.acceptsAttribute('domain', [], event([]))).toBe(true);
    expect(filter.acceptsAttribute('domain', ['tlp:red'], event([]))).toBe(false);
    expect(filter.acceptsEvent(event(['tlp:red']))).toBe(false);
    expect(filter.acceptsAttribute('domain', [], event(['admiralty-scale:source-reliability="f"']))).toBe(false);
  });

  it('combines required and excluded tags with organisations, by name or uuid', () => {
    const filter = createLocalFilter({ ...base, tags: ['tlp:clear', '!false-positive'], organisations: ['circl'] });
    expect(filter.acceptsAttribute('ip-dst', [], event(['tlp:clear']))).toBe(true);
    expect(filter.acceptsAttribute('ip-dst', ['false-positive'], event(['tlp:clear']))).toBe(false);
    expect(filter.acceptsAttribute('ip-dst', [], event(['tlp:clear'], 'CERT-FR', 'x'))).toBe(false);
    const byUuid = createLocalFilter({ ...base, organisations: ['55F6EA5E-2C60-40E5-964F-47A8950D210F'] });
    expect(byUuid.acceptsEvent(event([], 'renamed'))).toBe(true);
  });
});
