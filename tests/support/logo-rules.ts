/**
 * The logo Sekoia's automation library asks of every module, at the module's root: `logo.svg`, or
 * a `logo.png` that is square, has a transparent background and weighs at most 50 KiB. The SVG is
 * also held to what the platform can draw anywhere: well-formed XML with an `<svg>` root, square,
 * and self-contained (no external reference, script or text that would need a font).
 */

export const LOGO_PNG_MAX_BYTES = 50 * 1024;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** PNG colour types 4 (grey + alpha) and 6 (RGB + alpha); the others are transparent only through a tRNS chunk. */
const PNG_ALPHA_COLOUR_TYPES = new Set([4, 6]);

export function pngLogoProblems(png: Buffer): string[] {
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    return ['logo.png is not a PNG image (no PNG signature followed by its IHDR chunk).'];
  }
  const problems: string[] = [];
  const [width, height, colourType] = [png.readUInt32BE(16), png.readUInt32BE(20), png.readUInt8(25)];
  if (width !== height) problems.push(`logo.png is ${width}×${height}; it must be square.`);
  if (!PNG_ALPHA_COLOUR_TYPES.has(colourType) && !pngChunkTypes(png).includes('tRNS')) {
    problems.push(`logo.png has no transparency (colour type ${colourType}, no tRNS chunk); its background must be transparent.`);
  }
  if (png.length > LOGO_PNG_MAX_BYTES) problems.push(`logo.png weighs ${png.length} bytes; at most ${LOGO_PNG_MAX_BYTES} (50 KiB).`);
  return problems;
}

function pngChunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  for (let offset = 8; offset + 8 <= png.length; offset += 12 + png.readUInt32BE(offset)) types.push(png.toString('latin1', offset + 4, offset + 8));
  return types;
}

interface XmlElement {
  name: string;
  attributes: Map<string, string>;
}

export function svgLogoProblems(svg: string): string[] {
  let elements: XmlElement[];
  try {
    elements = xmlElements(svg);
  } catch (error) {
    return [`logo.svg is not well-formed XML: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  const root = elements[0];
  if (root?.name !== 'svg') return [`logo.svg has the root element <${root?.name ?? ''}>; it must be <svg>.`];
  if (root.attributes.get('xmlns') !== 'http://www.w3.org/2000/svg') problems.push('logo.svg: the <svg> root must declare xmlns="http://www.w3.org/2000/svg".');

  const viewBox = root.attributes.get('viewBox')?.trim().split(/[\s,]+/).map(Number);
  const [width, height] = ['width', 'height'].map((name) => root.attributes.get(name));
  if (viewBox) {
    if (viewBox.length !== 4 || viewBox.some(Number.isNaN)) problems.push(`logo.svg: viewBox "${root.attributes.get('viewBox') ?? ''}" is not four numbers.`);
    else if (viewBox[2] !== viewBox[3] || !((viewBox[2] as number) > 0)) problems.push(`logo.svg: viewBox is ${viewBox[2]}×${viewBox[3]}; it must be square.`);
  } else if (width === undefined || width !== height) {
    problems.push('logo.svg must be square: a square viewBox, or equal width and height.');
  }
  if (viewBox && width !== undefined && width !== height) problems.push(`logo.svg: width ${width} and height ${height ?? '(none)'} differ; it must be square.`);

  for (const { name, attributes } of elements) {
    if (['script', 'image', 'foreignObject', 'text'].includes(name)) {
      problems.push(`logo.svg holds <${name}>: a logo draws with shapes alone (no script, embedded image or text that needs a font).`);
    }
    for (const [attribute, value] of attributes) {
      if (/(^|:)href$/.test(attribute) && !value.startsWith('#')) problems.push(`logo.svg: ${attribute}="${value}" refers outside the file.`);
      if (/url\(\s*['"]?(?!#)/.test(value)) problems.push(`logo.svg: ${attribute}="${value}" refers outside the file.`);
    }
  }
  return problems;
}

const NAME = /^[A-Za-z_][\w.:-]*$/;
const TAG = /<((?:[^>"']|"[^"]*"|'[^']*')*)>/y;

/**
 * The elements of a small XML document in document order, checked well-formed along the way: one
 * root, tags closed in order, attributes quoted and not repeated, `<` and `&` escaped in text.
 * No DOCTYPE: a logo has no use for one, and it is how XML reaches outside the file.
 */
function xmlElements(xml: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const open: string[] = [];
  let closedRoot = false;
  let position = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} (line ${xml.slice(0, position).split('\n').length}).`);
  };
  const checkText = (text: string): void => {
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.test(text)) fail('an unescaped "&"');
    if ((open.length === 0) && text.trim() !== '') fail('text outside the root element');
  };
  while (position < xml.length) {
    const next = xml.indexOf('<', position);
    checkText(xml.slice(position, next === -1 ? xml.length : next));
    if (next === -1) break;
    position = next;
    if (xml.startsWith('<!--', position)) {
      const end = xml.indexOf('-->', position + 4);
      if (end === -1) fail('an unclosed comment');
      position = end + 3;
    } else if (xml.startsWith('<?', position)) {
      const end = xml.indexOf('?>', position);
      if (end === -1) fail('an unclosed processing instruction');
      position = end + 2;
    } else if (xml.startsWith('<!', position)) {
      fail('a DOCTYPE or CDATA section');
    } else {
      // Up to the first `>` outside quotes: attribute values may hold one.
      TAG.lastIndex = position;
      const tag = TAG.exec(xml)?.[1] ?? fail('an unclosed tag');
      const end = position + tag.length + 1;
      if (tag.startsWith('/')) {
        const name = tag.slice(1).trim();
        if (open.pop() !== name) fail(`</${name}> closes no open <${name}>`);
        if (open.length === 0) closedRoot = true;
      } else {
        const selfClosing = tag.endsWith('/');
        const [, name = '', rest = ''] = /^(\S+)([\s\S]*?)\/?$/.exec(tag) ?? [];
        if (!NAME.test(name)) fail(`"<${name}" is not an element name`);
        if (open.length === 0 && (closedRoot || elements.length > 0)) fail('a second root element');
        elements.push({ name, attributes: xmlAttributes(rest, fail) });
        if (!selfClosing) open.push(name);
        else if (open.length === 0) closedRoot = true;
      }
      position = end + 1;
    }
  }
  if (open.length > 0) fail(`<${open.at(-1) ?? ''}> is never closed`);
  if (elements.length === 0) fail('no element');
  return elements;
}

function xmlAttributes(source: string, fail: (message: string) => never): Map<string, string> {
  const attributes = new Map<string, string>();
  const attribute = /\s+([^\s=]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
  let position = 0;
  while (position < source.trimEnd().length) {
    attribute.lastIndex = position;
    const match = attribute.exec(source);
    if (!match) fail(`"${source.slice(position).trim()}" is not a quoted attribute`);
    const [whole, name = '', double, single] = match as RegExpExecArray;
    if (!NAME.test(name)) fail(`"${name}" is not an attribute name`);
    if (attributes.has(name)) fail(`the attribute ${name} is given twice`);
    attributes.set(name, double ?? single ?? '');
    position += whole.length;
  }
  return attributes;
}
