import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '@sekoia/automation-sdk-shim';
import { afterEach, describe, expect, it } from 'vitest';
import { moduleRoot, TRIGGER_DEFINITION_FILE } from '../../misp_modules/configuration/module-root.js';
import type { SourceAttribute } from '../../misp_modules/pipeline/sync-cycle.js';
import type { SourceKind } from '../../misp_modules/sources/attribute-source.js';
import { registerSourceKind } from '../../misp_modules/sources/source-kinds.js';
import { closedAfterEachTest, COLLECTION, START_MS } from '../trigger/trigger-harness.js';

/**
 * The seam of source kinds: a sixth kind, written here, reaches the real IDS trigger through the
 * table's public function alone, and the trigger runs it end to end like the module's own kinds.
 */

const IN_MEMORY = 'in_memory_list';
const NOW_S = Math.floor(START_MS / 1000);
const HOUR = 3_600;
const SLEEP = 300;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A list of attributes held in memory, and the uuids it withdrew since it was last asked. */
interface InMemoryList {
  attributes: SourceAttribute[];
  withdrawn: string[];
  cyclesCommitted: boolean[];
}

function attribute(uuid: string, type: string, value: string): SourceAttribute {
  return { uuid, type, value, timestamp: NOW_S - HOUR, toIds: true, deleted: false };
}

function inMemoryKind(list: InMemoryList, problems: string[] = []): SourceKind {
  return {
    source: IN_MEMORY,
    checkConfiguration: () => problems,
    open: async () => ({
      describe: `in-memory list of ${list.attributes.length} attributes`,
      startCycle: async () => {
        const attributes = [...list.attributes];
        return {
          pages: (async function* () {
            yield { attributes };
          })(),
          filtered: () => 0,
          withdrawn: async () => list.withdrawn.splice(0),
          commit: async (complete) => {
            list.cyclesCommitted.push(complete);
          },
        };
      },
      close: () => undefined,
    }),
  };
}

/**
 * A module root whose trigger JSON offers the test's kind beside the module's own: the schema stays
 * the one judge of the configuration, and this one is the module's, extended by one name.
 */
function rootOffering(source: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'source-kind-root-'));
  writeFileSync(path.join(root, 'manifest.json'), readFileSync(path.join(moduleRoot(), 'manifest.json')));
  const trigger = JSON.parse(readFileSync(path.join(moduleRoot(), TRIGGER_DEFINITION_FILE), 'utf8')) as {
    arguments: { properties: { source: { enum: string[] } } };
  };
  trigger.arguments.properties.source.enum.push(source);
  writeFileSync(path.join(root, TRIGGER_DEFINITION_FILE), JSON.stringify(trigger));
  return root;
}

const { world, trigger } = closedAfterEachTest();
const unregister: Array<() => void> = [];
afterEach(() => {
  for (const remove of unregister.splice(0)) remove();
});

describe('a source kind registered through the table alone', () => {
  it('is read by the IDS trigger: pushed once, not again after a restart, and a withdrawal lapses its value', async () => {
    const list: InMemoryList = {
      attributes: [
        attribute('0b5d3c1e-0000-4000-8000-000000000001', 'ip-dst', '198.51.100.7'),
        attribute('0b5d3c1e-0000-4000-8000-000000000002', 'domain', 'withdrawn-later.example.net'),
        attribute('0b5d3c1e-0000-4000-8000-000000000003', 'domain', 'stays.example.org'),
      ],
      withdrawn: [],
      cyclesCommitted: [],
    };
    unregister.push(registerSourceKind(inMemoryKind(list)));
    const root = rootOffering(IN_MEMORY);
    const w = await world();
    const options = { root, configuration: { source: IN_MEMORY, valid_for: 1, sleep_time: SLEEP } };
    const accepted = () => w.collection.accepted(COLLECTION);

    const first = trigger(w, options);
    await first.untilCycles(1);
    expect(first.runtime.logs[0]?.message).toMatch(/^Starting: in-memory list of 3 attributes → /);
    expect(accepted().all.sort()).toEqual(['198.51.100.7', 'stays.example.org', 'withdrawn-later.example.net']);
    for (const value of accepted().all) expect(accepted().validUntil.get(value)).toBe(iso(NOW_S + 24 * HOUR));
    expect(first.runtime.events).toHaveLength(1);
    expect(list.cyclesCommitted).toEqual([true]);
    await first.stop();
    const requests = w.collection.acceptedRequests();

    // A restart on the same data path: the delivered memory keeps the list from being pushed again.
    const second = trigger(w, { ...options, dataPath: first.runtime.dataPath });
    await second.untilCycles(1);
    expect(w.collection.acceptedRequests()).toBe(requests);
    expect(second.cycleLogs()[0]).toMatch(/^Cycle 1: 3 attributes fetched, 0 new IOCs pushed/);
    expect(second.runtime.events).toHaveLength(0);

    // The list withdraws one attribute: its value lapses now, the others stay as they were.
    list.attributes.splice(1, 1);
    list.withdrawn.push('0b5d3c1e-0000-4000-8000-000000000002');
    await second.untilCycles(2);
    expect(accepted().validUntil.get('withdrawn-later.example.net')).toBe(iso(NOW_S + SLEEP));
    expect(accepted().validUntil.get('stays.example.org')).toBe(iso(NOW_S + 24 * HOUR));
    expect(second.runtime.events.at(-1)?.event).toMatchObject({ iocs_withdrawn: 1, iocs_submitted: 0 });
    expect(list.cyclesCommitted).toEqual([true, true, true]);
    // The trigger asked nothing of MISP: it read the kind the table named.
    expect(w.misp.requests).toHaveLength(0);
  });

  it('has its own configuration checks reported with the schema\'s, before any cycle', async () => {
    const list: InMemoryList = { attributes: [], withdrawn: [], cyclesCommitted: [] };
    unregister.push(registerSourceKind(inMemoryKind(list, ['In the trigger configuration, the in-memory list is empty; expected at least one attribute.'])));
    const w = await world();
    const start = () => trigger(w, { root: rootOffering(IN_MEMORY), configuration: { source: IN_MEMORY } });
    expect(start).toThrow(ConfigurationError);
    expect(start).toThrow(/the in-memory list is empty/);
  });

  it('is refused by the schema of the module itself, which offers only the module\'s own kinds', async () => {
    unregister.push(registerSourceKind(inMemoryKind({ attributes: [], withdrawn: [], cyclesCommitted: [] })));
    const w = await world();
    expect(() => trigger(w, { configuration: { source: IN_MEMORY } })).toThrow(/source/);
  });

  it('stops the trigger with one critical line when the schema offers a name that no kind answers to', async () => {
    const w = await world();
    const t = trigger(w, { root: rootOffering(IN_MEMORY), configuration: { source: IN_MEMORY } });
    await t.done;
    expect(t.runtime.outcome).toBe('fatal');
    const critical = t.runtime.logs.filter((entry) => entry.level === 'critical').map((entry) => entry.message);
    expect(critical).toEqual([expect.stringContaining(`The source "${IN_MEMORY}" names no kind of source the trigger can read.`)]);
    expect(w.collection.requests).toHaveLength(0);
  });

  it('cannot take a name the table already answers to', () => {
    expect(() => registerSourceKind({ ...inMemoryKind({ attributes: [], withdrawn: [], cyclesCommitted: [] }), source: 'misp_feed' })).toThrow(
      /A source kind named "misp_feed" is already registered/,
    );
  });
});
