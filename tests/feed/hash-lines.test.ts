import { describe, expect, it } from 'vitest';
import { hashesText, hashLinesByEvent } from '../../misp_modules/feed/writer/hash-lines.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('hashes.csv kept between runs', () => {
  const text = [`d41d8cd98f00b204e9800998ecf8427e,${A}`, `0cc175b9c0f1b6a831c399e269772661,${A}`, `92eb5ffee6ae2fec3ad71c777531578f,${B}`, '', `4a8a08f09d37b73795649038408b5f33,${C}`, `8277e0910d750195b448797616e091ad,${A}\r`].join('\n');

  it('groups the lines of each wanted event, in order, whatever the line ends', () => {
    const byEvent = hashLinesByEvent(`${text}\n`, (uuid) => uuid !== C);
    expect([...byEvent.keys()]).toEqual([A, B]);
    expect(byEvent.get(A)).toBe(`d41d8cd98f00b204e9800998ecf8427e,${A}\n0cc175b9c0f1b6a831c399e269772661,${A}\n8277e0910d750195b448797616e091ad,${A}`);
    expect(byEvent.get(B)).toBe(`92eb5ffee6ae2fec3ad71c777531578f,${B}`);
    expect(hashLinesByEvent(text, () => true).get(C)).toBe(`4a8a08f09d37b73795649038408b5f33,${C}`);
    expect(hashLinesByEvent(undefined, () => true).size).toBe(0);
  });

  it('writes the blocks back in the order given, leaving out events without lines', () => {
    const byEvent = hashLinesByEvent(text, () => true);
    expect(hashesText([C, 'missing', B], byEvent)).toBe(`4a8a08f09d37b73795649038408b5f33,${C}\n92eb5ffee6ae2fec3ad71c777531578f,${B}\n`);
    expect(hashesText([], byEvent)).toBe('');
  });
});
