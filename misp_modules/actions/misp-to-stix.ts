import { Action } from '@sekoia/automation-sdk-shim';
import type { MispModuleConfiguration, MispToStixArguments, MispToStixResults } from '../configuration/configuration.generated.js';
import { convertMispEvent } from '../stix/index.js';

export const MISP_TO_STIX_COMMAND = 'convert-misp-to-stix';
/** Elements left out are each named in the log up to this many; beyond, only counted. */
const SKIPPED_NAMED_IN_LOG = 20;

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
    for (const element of skipped.slice(0, SKIPPED_NAMED_IN_LOG)) {
      this.log(`Left out ${element.element} ${element.reference}${element.mispType === undefined ? '' : ` (${element.mispType})`}: ${element.reason}`);
    }
    if (skipped.length > SKIPPED_NAMED_IN_LOG) this.log(`${skipped.length - SKIPPED_NAMED_IN_LOG} more elements left out, not named here`);
    return { bundle };
  }
}
