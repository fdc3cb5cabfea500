import { processSecrets } from '@sekoia/automation-sdk-shim';

/** Longest excerpt of a foreign text (an error body, a MISP message) put into a message or a log line. */
export const EXCERPT_LENGTH = 160;

/**
 * Makes foreign text fit for a log line: every secret of the process replaced (by the runtime's
 * one redactor), control characters and line breaks folded into single spaces (a body must not
 * forge log lines), and cut to a short excerpt.
 */
export function safeExcerpt(raw: string, maxLength: number = EXCERPT_LENGTH): string {
  // Secrets go first, over the whole text: a cut made before could leave part of one.
  let text = processSecrets.redact(raw);
  // Only the start matters; bounding the rest keeps a multi-megabyte body cheap.
  text = text.slice(0, maxLength * 16).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

/** The title of an HTML page, which says most about it ("Login", "502 Bad Gateway"), or undefined. */
export function htmlTitle(body: string): string | undefined {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body.slice(0, 8_192))?.[1];
  if (title === undefined) return undefined;
  const excerpt = safeExcerpt(title, 80);
  return excerpt === '' ? undefined : excerpt;
}
