/**
 * The rules Sekoia's automation library checks every module's CHANGELOG.md by, in Keep a
 * Changelog form: the title on the first line and no other top-level heading, the two header
 * sentences word for word, `## [x.y.z] - YYYY-MM-DD` (or `## [Unreleased]`) versions newest
 * first, and inside a version nothing but `###` sections of the six Keep a Changelog kinds.
 */

export const CHANGELOG_TITLE = '# Changelog';

/** Looked for in the header with its line breaks read as spaces, as the library's checker does. */
export const CHANGELOG_HEADER_SENTENCES = [
  'All notable changes to this project will be documented in this file.',
  'The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.0.0/), and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).',
] as const;

export const CHANGELOG_SECTION_TITLES = ['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'] as const;

const UNRELEASED = /^## \[Unreleased\]$/;
const RELEASED = /^## \[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d{2}-\d{2})$/;

interface Version {
  line: number;
  heading: string;
  body: { line: number; text: string }[];
}

/** Every way the text breaks the rules, one sentence each naming its line; none when it keeps them. */
export function changelogProblems(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const problems: string[] = [];
  if (lines[0] !== CHANGELOG_TITLE) problems.push(`line 1: the title must be "${CHANGELOG_TITLE}", found "${lines[0] ?? ''}".`);
  lines.forEach((line, index) => {
    if (index > 0 && /^#\s/.test(line)) problems.push(`line ${index + 1}: a second top-level heading "${line}"; the title is the only one.`);
  });

  const firstVersion = lines.findIndex((line) => /^##\s/.test(line));
  const header = lines.slice(1, firstVersion === -1 ? lines.length : firstVersion).join(' ').replace(/\s+/g, ' ');
  for (const sentence of CHANGELOG_HEADER_SENTENCES) {
    if (!header.includes(sentence)) problems.push(`header: missing the sentence "${sentence}", word for word.`);
  }
  if (firstVersion === -1) return [...problems, 'no version: the changelog needs at least one "## [x.y.z] - YYYY-MM-DD" or "## [Unreleased]".'];

  const versions: Version[] = [];
  lines.slice(firstVersion).forEach((text, offset) => {
    const line = firstVersion + offset + 1;
    if (/^##\s/.test(text)) versions.push({ line, heading: text, body: [] });
    else versions.at(-1)?.body.push({ line, text });
  });

  let previous: { version: number[]; date: string; heading: string } | undefined;
  versions.forEach(({ line, heading, body }, index) => {
    const released = RELEASED.exec(heading);
    if (UNRELEASED.test(heading)) {
      if (index > 0) problems.push(`line ${line}: "## [Unreleased]" must be the first version.`);
    } else if (!released) {
      problems.push(`line ${line}: "${heading}" is not "## [x.y.z] - YYYY-MM-DD" nor "## [Unreleased]".`);
    } else {
      const version = released.slice(1, 4).map(Number);
      const date = released[4] as string;
      if (Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
        problems.push(`line ${line}: ${date} is not a date of the calendar.`);
      }
      if (previous && (compareVersions(version, previous.version) >= 0 || date > previous.date)) {
        problems.push(`line ${line}: "${heading}" comes after "${previous.heading}"; versions go newest first.`);
      }
      previous = { version, date, heading };
    }
    problems.push(...sectionProblems(body));
  });
  return problems;
}

function sectionProblems(body: Version['body']): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  let inSection = false;
  for (const { line, text } of body) {
    const section = /^###\s+(.*)$/.exec(text);
    if (section) {
      const title = (section[1] as string).trim();
      if (!(CHANGELOG_SECTION_TITLES as readonly string[]).includes(title)) {
        problems.push(`line ${line}: "### ${title}" is not a section of a version; the titles are ${CHANGELOG_SECTION_TITLES.join(', ')}.`);
      } else if (seen.has(title)) {
        problems.push(`line ${line}: a second "### ${title}" in the same version.`);
      }
      seen.add(title);
      inSection = true;
    } else if (!inSection && text.trim() !== '') {
      problems.push(`line ${line}: text outside a "###" section of its version: "${text.trim().slice(0, 60)}".`);
      // One sentence for the whole loose paragraph.
      inSection = true;
    }
  }
  return problems;
}

function compareVersions(left: number[], right: number[]): number {
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
