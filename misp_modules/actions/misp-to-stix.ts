import { Action } from '@sekoia/automation-sdk-shim';
import type { MispModuleConfiguration, MispToStixArguments, MispToStixResults } from '../configuration/configuration.generated.js';
import { convertMispEvent, summariseSkipped } from '../stix/index.js';

export const MISP_TO_STIX_COMMAND = 'convert-misp-to-stix';

/**
 * "MISP to STIX": converts the MISP event given as argument into a STIX 2.1 bundle, returned
 * inline. Calls nothing; an input that is not a MISP event fails the action with what it lacks.
 */
export class MispToStixAction extends Action<MispModuleConfiguration, MispToStixArguments, MispToStixResults> {
  override async run(args: MispToStixArguments): Promise<MispToStixResults> {
    const { bundle, skipped } = convertMispEvent(args.event);
    const counts = new Map<string, number>();
    for (const object of bundle.objects) counts.set(object.type, (counts.get(object.type) ?? 0) + 1);
    const summary = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => `${count} ${type}`).join(', ');
    this.log(`Converted the event into a STIX 2.1 bundle of ${bundle.objects.length} objects (${summary}); ${skipped.length} elements left out`);
    // The conversion succeeded, so the event has its uuid where MISP puts it.
    const event = args.event as { Event?: { uuid?: unknown }; uuid?: unknown };
    const leftOut = summariseSkipped(String(event.Event?.uuid ?? event.uuid), skipped);
    if (leftOut !== undefined) this.log(leftOut);
    return { bundle };
  }
}
