import { Action } from '@sekoia/automation-sdk-shim';
import type { MispModuleConfiguration, PublishEventArguments, PublishEventResults } from '../configuration/configuration.generated.js';
import { MispRefusedError } from '../misp/errors/misp-refused-error.js';
import { MispUnexpectedAnswerError } from '../misp/errors/misp-unexpected-answer-error.js';
import { mispApiOf } from '../misp/misp-account-api.js';
import { InvalidEventArgumentError } from './invalid-event-argument-error.js';

export const PUBLISH_EVENT_COMMAND = 'publish-to-misp';
const ADD_EVENT_PATH = '/events/add';

/**
 * "Publish Event": creates the event in MISP (`POST /events/add`) and returns MISP's copy of it. A
 * refusal of MISP, whatever its status or form, fails the action with MISP's reason.
 */
export class PublishEventAction extends Action<MispModuleConfiguration, PublishEventArguments, PublishEventResults> {
  override async run(args: PublishEventArguments): Promise<PublishEventResults> {
    const event = await this.jsonArgument('event', args as Record<string, unknown>);
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new InvalidEventArgumentError('is not a JSON object');
    const body = 'Event' in event ? event : { Event: event };
    const info = (body as { Event?: { info?: unknown } }).Event?.info;
    if (typeof info !== 'string' || info.trim() === '') throw new InvalidEventArgumentError('has no "info" (the event\'s title, which MISP requires)');

    const api = mispApiOf(this.moduleConfiguration, true, 'to create events in MISP');
    this.log(`Creating the event "${info}" in MISP at ${api.host}`);
    const answer = await api.post(ADD_EVENT_PATH, body, this.signal);
    const created = (answer as { Event?: unknown } | null)?.Event;
    if (typeof answer === 'object' && answer !== null && 'errors' in answer && created === undefined) {
      // Some MISP versions and proxies answer a refused event with 200 and an error body.
      throw new MispRefusedError(api.host, `POST ${ADD_EVENT_PATH}`, 200, api.reasonOf(answer));
    }
    if (typeof created !== 'object' || created === null) {
      throw new MispUnexpectedAnswerError(api.host, `POST ${ADD_EVENT_PATH}`, 'JSON without an "Event" object', 'the created event');
    }
    const { id, uuid, Attribute: attributes, Object: objects } = created as { id?: unknown; uuid?: unknown; Attribute?: unknown; Object?: unknown };
    this.log(
      `MISP created event ${String(id)} (uuid ${String(uuid)}) with ${Array.isArray(attributes) ? attributes.length : 0} attributes and ${Array.isArray(objects) ? objects.length : 0} objects`,
    );
    return (await this.jsonResult('event', answer)) as PublishEventResults;
  }
}
