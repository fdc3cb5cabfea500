import { readFileSync } from 'node:fs';
import { createActionTestRuntime } from '@sekoia/automation-sdk-shim/testing';
import { describe, expect, it } from 'vitest';
import { MISP_TO_STIX_COMMAND, MispToStixAction } from '../../misp_modules/actions/misp-to-stix.js';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { PHISHING_CAMPAIGN_EVENT } from '../stix/misp-event-samples.js';

const EXPECTED_BUNDLE = JSON.parse(readFileSync(new URL('../stix/expected/phishing-campaign-bundle.json', import.meta.url), 'utf8')) as { objects: unknown[] };

// The action calls nothing: an empty account is enough.
const runtime = () => createActionTestRuntime(MispToStixAction, { root: moduleRoot(), command: MISP_TO_STIX_COMMAND, moduleConfiguration: {} });

describe('MISP to STIX', () => {
  it('returns the whole bundle of the event inline, and says what it holds', async () => {
    const report = await runtime().run({ event: PHISHING_CAMPAIGN_EVENT });
    expect(report.error).toBeUndefined();
    expect(report.results).toStrictEqual({ bundle: EXPECTED_BUNDLE });
    expect(report.logs[0]?.message).toMatch(new RegExp(`^Converted the event into a STIX 2\\.1 bundle of ${EXPECTED_BUNDLE.objects.length} objects \\(.*\\d+ indicator.*\\); \\d+ elements left out$`));
    expect(report.logs[1]?.message).toMatch(/^MISP event 11111111-2222-4333-8444-555555555555: 4 elements left out of the STIX bundle: attribute a000000c-.* \(domain\): deleted in MISP; /);
  });

  it('gives the same bundle for the same event, run after run', async () => {
    const first = await runtime().run({ event: PHISHING_CAMPAIGN_EVENT });
    const second = await runtime().run({ event: structuredClone(PHISHING_CAMPAIGN_EVENT) });
    expect(JSON.stringify(second.results)).toBe(JSON.stringify(first.results));
  });

  it('fails with what is missing when the input is not a MISP event', async () => {
    const report = await runtime().run({ event: { info: 'no uuid here' } });
    expect(report.results).toBeUndefined();
    expect(report.error).toMatch(/^The input is not a MISP event: .*\. Give the event as MISP exports it/);
    expect((await runtime().run({})).error).toBe("Invalid configuration (1 problem): In the action's arguments, event is missing; expected a JSON object.");
  });
});
