/**
 * The boundaries of ARCHITECTURE.md, checked by `npm run check:boundaries` (the first step of
 * `npm test`, and so of CI). ROOMS is the document's code map: a room imports only the rooms of
 * lower layers, never one of its own layer or above. Type-only imports count like the others.
 */

/** The rooms of `misp_modules/` by layer; the runtime package `packages/automation-sdk-shim` is layer 0. */
const ROOMS = {
  configuration: 1,
  http: 2,
  iocs: 2,
  filters: 2,
  state: 2,
  misp: 3,
  sekoia: 3,
  pipeline: 3,
  stix: 4,
  decay: 4,
  warninglists: 4,
  feed: 4,
  sources: 5,
  expiry: 6,
  trigger: 7,
  'new-event': 7,
  actions: 7,
  'main.ts': 8,
};

/** Room name to the path of its files. */
const roomPath = (room) => (room.endsWith('.ts') ? `^misp_modules/${room.replace('.', '\\.')}$` : `^misp_modules/${room}/`);

const SHIM = '^packages/automation-sdk-shim/src/';
const PRODUCT = ['^misp_modules/', SHIM];
const DEV = '^misp_modules/dev/';
const TESTS_AND_TOOLS = '^(tests|bench|scripts|packages/automation-sdk-shim/tests)/';

/**
 * The modules that read a source of attributes: the MISP attribute search, the feed readers and
 * their transports (and the feed package's index, which hands out its reader). Only `sources/`
 * imports them, besides their own room and dev/.
 */
const SOURCE_CLIENTS = [
  { module: 'misp/attribute-search.ts', room: 'misp' },
  ...['feed-reader', 'feed-source', 'document-feed-source', 'feed-transport', 'open-feed-transport', 's3-feed-transport', 'index'].map(
    (name) => ({ module: `feed/${name}.ts`, room: 'feed' }),
  ),
];

/**
 * Imports of source clients made before `sources/` existed. Each names the room that takes it
 * over; the entry is deleted when that room lands.
 */
const KNOWN_SOURCE_CLIENT_IMPORTS = [];

/** The parts of feed/ that the reader and the writer share: MISP's feed format. */
const FEED_FORMAT = '^misp_modules/feed/(errors/|(feed-event|feed-manifest|feed-hashes|feed-uuid|indicator-type)\\.ts$)';

const file = (relative) => `^misp_modules/${relative.replaceAll('.', '\\.')}$`;

function layerRules() {
  return Object.entries(ROOMS).flatMap(([room, layer]) => {
    const notBelow = Object.entries(ROOMS).filter(([other, otherLayer]) => other !== room && otherLayer >= layer);
    // The top room has nothing above it: a rule with no target would match every import.
    if (notBelow.length === 0) return [];
    return {
      name: `layer-${room.replace('.ts', '')}`,
      comment: `${room} (layer ${layer}) imports only rooms of lower layers (ARCHITECTURE.md, "Code map").`,
      severity: 'error',
      from: { path: roomPath(room) },
      to: { path: notBelow.map(([other]) => roomPath(other)) },
    };
  });
}

function sourceClientRules() {
  return SOURCE_CLIENTS.map(({ module, room }) => ({
    name: `only-sources-import-${module.replace(/\.ts$/, '').replace('/', '-')}`,
    comment: `Only sources/ reads a source: ${module} is imported by its own room, sources/ and dev/ (ARCHITECTURE.md, "Sources").`,
    severity: 'error',
    from: {
      path: '^misp_modules/',
      pathNot: [
        roomPath(room),
        '^misp_modules/sources/',
        DEV,
        ...KNOWN_SOURCE_CLIENT_IMPORTS.filter((known) => known.to === module).map((known) => file(known.from)),
      ],
    },
    to: { path: file(module) },
  }));
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle, type-only imports included: move what both sides need to a module both import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shim-stands-alone',
      comment: 'The runtime package (layer 0) never imports the module.',
      severity: 'error',
      from: { path: SHIM },
      to: { path: '^misp_modules/' },
    },
    {
      name: 'room-in-code-map',
      comment: 'Every folder of misp_modules/ is a room of ARCHITECTURE.md and of ROOMS in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^misp_modules/', pathNot: [...Object.keys(ROOMS).map(roomPath), DEV] },
      to: {},
    },
    ...layerRules(),
    {
      name: 'product-not-dev',
      comment: 'Product code never imports dev/: the demo, its servers and trigger:dev only use the product.',
      severity: 'error',
      from: { path: PRODUCT, pathNot: DEV },
      to: { path: DEV },
    },
    {
      name: 'product-not-tests',
      comment: 'Product code (dev/ included) never imports tests, benchmarks or scripts.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: TESTS_AND_TOOLS },
    },
    {
      name: 'feed-reader-without-writer',
      comment: 'The feed readers never import feed/writer/; only the package index and feed:generate do.',
      severity: 'error',
      from: { path: '^misp_modules/feed/', pathNot: ['^misp_modules/feed/writer/', file('feed/index.ts'), file('feed/feed-generate-cli.ts')] },
      to: { path: '^misp_modules/feed/writer/' },
    },
    {
      name: 'feed-writer-on-the-format',
      comment: 'feed/writer/ builds on the feed format of feed/ (event, manifest, hashes, uuid, types, errors), never on the readers.',
      severity: 'error',
      from: { path: '^misp_modules/feed/writer/' },
      to: { path: '^misp_modules/feed/', pathNot: ['^misp_modules/feed/writer/', FEED_FORMAT] },
    },
    ...sourceClientRules(),
    {
      name: 'resolvable',
      comment: 'Every import resolves, so no dependency escapes the rules above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'node', 'default'] },
  },
};

// For the tests that hold ARCHITECTURE.md's code map to these layers and the known imports to the
// tree; not enumerable, since depcruise refuses keys of its own configuration it does not know.
Object.defineProperty(module.exports, 'ROOMS', { value: ROOMS, enumerable: false });
Object.defineProperty(module.exports, 'KNOWN_SOURCE_CLIENT_IMPORTS', { value: KNOWN_SOURCE_CLIENT_IMPORTS, enumerable: false });
