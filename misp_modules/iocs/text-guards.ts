// Guards that keep every pushed value on exactly one line of the newline-separated upload.
// ASCII is settled by a char-code loop; a precompiled Unicode class only runs on non-ASCII text.

/** Control characters (C0, DEL, C1 incl. U+0085) and the Unicode line/paragraph separators. */
const NON_ASCII_LINE_BREAKING = /[\p{Cc}\u2028\u2029]/u;

/** Controls, invisible format characters, surrogate halves and every Unicode space or separator. */
const NON_ASCII_BLANK_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}]/u;

/**
 * True when the text holds a control character or a line/paragraph separator. Spaces are allowed:
 * this guards a whole composite value (a filename may hold spaces) whose pushed part is checked
 * more strictly by {@link holdsBlankOrControl}.
 */
export function holdsLineBreakOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
    if (c >= 0x80) return NON_ASCII_LINE_BREAKING.test(text);
  }
  return false;
}

/** True when the text holds whitespace of any kind, a control or an invisible format character. */
export function holdsBlankOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
    if (c >= 0x80) return NON_ASCII_BLANK_OR_CONTROL.test(text);
  }
  return false;
}

/** True when every character is printable ASCII (U+0021 to U+007E): no space, no control. */
export function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/** True when the text holds only ASCII characters. */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) return false;
  }
  return true;
}

/** Markers analysts use to make an indicator unclickable; such a value is not the indicator. */
const DEFANG_MARKERS: readonly string[] = ['[.]', '(.)', '{.}', '[dot]', '(dot)', '[:]', '[://]', '[@]'];

/** True when the text holds a defanging marker such as `[.]`. */
export function holdsDefangMarker(text: string): boolean {
  // Every marker holds a bracket: most values are settled without lower-casing them.
  if (text.indexOf('[') === -1 && text.indexOf('(') === -1 && text.indexOf('{') === -1) return false;
  const lower = text.toLowerCase();
  for (const marker of DEFANG_MARKERS) {
    if (lower.includes(marker)) return true;
  }
  return false;
}
