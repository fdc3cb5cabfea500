import { attributeKey } from '../../pipeline/attribute-key.js';
import type { SourcePage } from '../../pipeline/sync-cycle.js';

/**
 * Which event each attribute of a feed cycle came from, and which attributes each event carried: a
 * feed cannot be asked what it withdrew, so the events read again are compared with what they carry now.
 */
export class FeedEventLedger {
  private readonly events = new Map<string, string>();
  private readonly carried = new Map<string, Set<string>>();

  /** The pages as they are, noting for each attribute the event that carried it. */
  async *follow(pages: AsyncIterable<SourcePage>): AsyncGenerator<SourcePage> {
    for await (const page of pages) {
      for (const attribute of page.attributes) {
        if (attribute.eventUuid === undefined) continue;
        const key = attributeKey(attribute);
        this.events.set(key, attribute.eventUuid);
        let carried = this.carried.get(attribute.eventUuid);
        if (carried === undefined) this.carried.set(attribute.eventUuid, (carried = new Set()));
        carried.add(key);
      }
      yield page;
    }
  }

  eventOf(key: string): string | undefined {
    return this.events.get(key);
  }

  /** Whether the event, as read in this cycle, carried the attribute. */
  carries(event: string, key: string): boolean {
    return this.carried.get(event)?.has(key) ?? false;
  }
}
