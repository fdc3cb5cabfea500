/**
 * What Sekoia's automation library checks of every module besides its manifest: a CHANGELOG.md in
 * its Keep a Changelog form and a logo at the root. The rules themselves are tried on broken samples
 * first, so that a rule that lets everything through cannot pass for a kept one.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { changelogProblems } from '../support/changelog-rules.js';
import { LOGO_PNG_MAX_BYTES, pngLogoProblems, svgLogoProblems } from '../support/logo-rules.js';

const root = moduleRoot();

const HEADER = `# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.0.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).
`;
const KEPT = `${HEADER}
## [Unreleased]

## [1.1.0] - 2026-02-01

### Changed

- A change.

  Its second paragraph.

### Fixed

- A fix.

## [1.0.0] - 2026-01-01

### Added

- The first release.
`;

describe('the changelog rules', () => {
  it('accept a changelog that keeps them, with the header sentences across lines', () => {
    expect(changelogProblems(KEPT)).toEqual([]);
  });

  it.each([
    ['a title that is not "# Changelog"', KEPT.replace('# Changelog', '# Change history'), /line 1: the title/],
    ['a blank line before the title', `\n${KEPT}`, /line 1: the title/],
    ['a second top-level heading', `${KEPT}\n# Older\n`, /a second top-level heading/],
    ['the header sentence in other words', KEPT.replace('will be documented', 'are documented'), /missing the sentence "All notable/],
    ['another Keep a Changelog version', KEPT.replace('en/1.0.0', 'en/1.1.0'), /missing the sentence "The format/],
    ['a version without its date', KEPT.replace('## [1.0.0] - 2026-01-01', '## [1.0.0]'), /"## \[1\.0\.0\]" is not/],
    ['a version that is not x.y.z', KEPT.replace('[1.0.0]', '[1.0]'), /is not "## \[x\.y\.z\]/],
    ['a date off the calendar', KEPT.replace('2026-01-01', '2026-02-30'), /2026-02-30 is not a date/],
    ['an older version first', KEPT.replace('[1.1.0]', '[0.9.0]'), /versions go newest first/],
    ['a later date below', KEPT.replace('2026-01-01', '2026-03-01'), /versions go newest first/],
    ['Unreleased below a release', KEPT.replace('## [Unreleased]\n', '').replace('## [1.0.0]', '## [Unreleased]\n\n## [1.0.0]'), /must be the first version/],
    ['a paragraph before the first section', KEPT.replace('### Changed', 'This release changes things.\n\n### Changed'), /text outside a "###" section/],
    ['a section of another kind', KEPT.replace('### Changed', '### Changed (for users of 1.0.0)'), /"### Changed \(for users of 1\.0\.0\)" is not a section/],
    ['a section twice in a version', KEPT.replace('### Fixed', '### Changed'), /a second "### Changed"/],
    ['no version at all', HEADER, /no version/],
  ])('refuse %s', (_, text, problem) => {
    const problems = changelogProblems(text);
    expect(problems.some((sentence) => problem.test(sentence)), problems.join('\n')).toBe(true);
  });
});

describe('the logo rules', () => {
  const square = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0 H10 V10 Z" fill="#123456"/></svg>';

  it('accept a square, self-contained SVG', () => {
    expect(svgLogoProblems(`<?xml version="1.0"?>\n<!-- a > in a comment -->\n${square}\n`)).toEqual([]);
    expect(svgLogoProblems('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><circle r="4" data-note="a > b"/></svg>')).toEqual([]);
  });

  it.each([
    ['an unclosed element', square.replace('</svg>', ''), /not well-formed XML: <svg> is never closed/],
    ['tags closed out of order', square.replace('/>', '>'), /not well-formed XML: <\/svg> closes no open <svg>/],
    ['an unquoted attribute', square.replace('fill="#123456"', 'fill=#123456'), /not well-formed XML/],
    ['an attribute given twice', square.replace('fill="#123456"', 'fill="#123456" fill="#000"'), /given twice/],
    ['a bare ampersand', square.replace('</svg>', '<title>A & B</title></svg>'), /unescaped "&"/],
    ['a DOCTYPE', `<!DOCTYPE svg SYSTEM "http://example.invalid/svg.dtd">${square}`, /DOCTYPE/],
    ['two roots', `${square}${square}`, /a second root element/],
    ['another root element', '<html xmlns="http://www.w3.org/2000/svg"></html>', /the root element <html>/],
    ['a wide viewBox', square.replace('0 0 10 10', '0 0 20 10'), /viewBox is 20×10/],
    ['no size at all', square.replace(' viewBox="0 0 10 10"', ''), /must be square/],
    ['different width and height', square.replace('viewBox="0 0 10 10"', 'width="20" height="10"'), /must be square/],
    ['an external image', square.replace('</svg>', '<image href="https://example.invalid/a.png"/></svg>'), /refers outside the file/],
    ['an external fill', square.replace('#123456', 'url(https://example.invalid/a.svg#g)'), /refers outside the file/],
    ['text that needs a font', square.replace('</svg>', '<text>MISP</text></svg>'), /holds <text>/],
  ])('refuse an SVG with %s', (_, svg, problem) => {
    const problems = svgLogoProblems(svg);
    expect(problems.some((sentence) => problem.test(sentence)), problems.join('\n')).toBe(true);
  });

  /** The signature and IHDR chunk of a PNG: what the rules read, besides the chunk types and the size. */
  const png = (width: number, height: number, colourType: number, size = 33): Buffer => {
    const image = Buffer.alloc(size);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(image);
    image.writeUInt32BE(13, 8);
    image.write('IHDR', 12, 'latin1');
    image.writeUInt32BE(width, 16);
    image.writeUInt32BE(height, 20);
    image.writeUInt8(8, 24);
    image.writeUInt8(colourType, 25);
    return image;
  };

  it('accept a square PNG with an alpha channel within 50 KiB, and refuse the others', () => {
    expect(pngLogoProblems(png(256, 256, 6))).toEqual([]);
    expect(pngLogoProblems(png(256, 128, 6)).join()).toMatch(/256×128; it must be square/);
    expect(pngLogoProblems(png(256, 256, 2)).join()).toMatch(/no transparency/);
    expect(pngLogoProblems(png(256, 256, 6, LOGO_PNG_MAX_BYTES + 1)).join()).toMatch(/at most 51200/);
    expect(pngLogoProblems(Buffer.from('<svg/>')).join()).toMatch(/not a PNG/);
  });
});

describe('the module', () => {
  it('has a CHANGELOG.md that keeps the rules of the automation library', () => {
    expect(changelogProblems(readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'))).toEqual([]);
  });

  it('has a logo at its root that keeps the rules of the automation library', () => {
    const [svg, png] = ['logo.svg', 'logo.png'].map((name) => path.join(root, name)) as [string, string];
    expect(existsSync(svg) || existsSync(png), 'logo.svg or logo.png at the root of the module').toBe(true);
    if (existsSync(svg)) expect(svgLogoProblems(readFileSync(svg, 'utf8'))).toEqual([]);
    if (existsSync(png)) expect(pngLogoProblems(readFileSync(png))).toEqual([]);
  });
});
