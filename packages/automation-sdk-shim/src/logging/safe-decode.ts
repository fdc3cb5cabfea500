/** `decodeURIComponent`, or the text unchanged when it holds a malformed escape (a raw `%` in a password). */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
