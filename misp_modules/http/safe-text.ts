/** Longest excerpt of a foreign text (an error body, a MISP message) put into a message or a log line. */
export const EXCERPT_LENGTH = 160;

/**
 * Makes foreign text fit for a log line: every secret replaced, control characters and line breaks
 * folded into single spaces (a body must not forge log lines), and cut to a short excerpt.
 */
export function safeExcerpt(raw: string, secrets: readonly string[], maxLength: number = EXCERPT_LENGTH, marker = '***'): string {
  // Secrets go first, over the whole text: a cut made before could leave part of one.
  let text = raw;
  for (const secret of secrets) {
    if (secret.length > 0) text = text.split(secret).join(marker);
  }
  // Only the start matters; bounding the rest keeps a multi-megabyte body cheap.
  text = text.slice(0, maxLength * 16).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

/** The title of an HTML page, which says most about it ("Login", "502 Bad Gateway"), or undefined. */
export function htmlTitle(body: string, secrets: readonly string[]): string | undefined {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body.slice(0, 8_192))?.[1];
  if (title === undefined) return undefined;
  const excerpt = safeExcerpt(title, secrets, 80);
  return excerpt === '' ? undefined : excerpt;
}
