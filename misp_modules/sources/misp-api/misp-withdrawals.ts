import type { MispAttribute, MispAttributeSearch } from '../../misp/attribute-search.js';

/** How many uuids one confirmation query names: small enough for any MISP's request limits. */
const UUIDS_PER_QUERY = 200;

/**
 * The attributes MISP withdrew since `sinceSeconds`: IDS flag cleared, or soft-deleted. Both
 * changes bump the attribute's own timestamp (and unpublish its event), so they are asked by
 * attribute timestamp, whatever the publication state. Deletions are asked whatever the type: with
 * `Security.sanitise_attribute_on_delete`, MISP stores a deleted attribute as type `comment`, value
 * `deleted`, IDS flag cleared, so only its uuid still tells which indicator it carried.
 */
export async function withdrawnSince(misp: MispAttributeSearch, sinceSeconds: number, types: readonly string[], pageSize: number, signal: AbortSignal): Promise<Set<string>> {
  const uuids = new Set<string>();
  const common = { published: undefined, publish_timestamp: undefined, timestamp: sinceSeconds };
  for (const filters of [{ ...common, type: [...types], to_ids: 0 }, { ...common, to_ids: undefined, deleted: 1 }]) {
    for await (const page of misp.searchAttributes({ publishedSince: 0, pageSize, filters }, signal)) {
      for (const attribute of page.attributes) if (attribute.uuid) uuids.add(attribute.uuid.toLowerCase());
    }
  }
  return uuids;
}

/**
 * Which of these attributes MISP still holds as IDS material, under the trigger's filters and in a
 * published event: the ones the main query would fetch, whose indicators may be refreshed. An
 * event unpublished after an edit is not vouched for until someone publishes it again; its
 * attributes are then fetched by the main query and pushed again.
 */
export async function confirmedAttributes(
  misp: MispAttributeSearch,
  uuids: readonly string[],
  filters: Record<string, unknown>,
  pageSize: number,
  signal: AbortSignal,
  /** Where warninglists are applied here: false for a value on one, which is then not vouched for. */
  accepts: (attribute: { type: string; value: string }) => boolean = () => true,
  /** Told each attribute confirmed, as MISP sent it (with its decay scores when the filters asked for them). */
  onConfirmed?: (attribute: MispAttribute) => void,
): Promise<Set<string>> {
  const confirmed = new Set<string>();
  for (let start = 0; start < uuids.length; start += UUIDS_PER_QUERY) {
    const chunk = uuids.slice(start, start + UUIDS_PER_QUERY);
    for await (const page of misp.searchAttributes({ publishedSince: 0, pageSize, filters: { ...filters, published: 1, publish_timestamp: undefined, uuid: chunk } }, signal)) {
      for (const attribute of page.attributes) {
        if (!attribute.uuid || !attribute.toIds || attribute.deleted || !accepts(attribute)) continue;
        confirmed.add(attribute.uuid.toLowerCase());
        onConfirmed?.(attribute);
      }
    }
  }
  return confirmed;
}
