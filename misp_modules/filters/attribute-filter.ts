/**
 * What the SOC chose to sync, beyond IDS flags: tags in MISP's syntax, creating organisations,
 * attribute types, warninglists. With the MISP API these become restSearch filters, so that MISP
 * sends nothing to be thrown away; a feed has no server to ask, so the same rules run here.
 */
export interface AttributeFilterSettings {
  /** MISP syntax: `tlp:clear` (any of these), `!tlp:red` (none of these); `%` is a wildcard. */
  tags: readonly string[];
  /** Names or uuids of the creating organisations to keep; empty keeps all. */
  organisations: readonly string[];
  /** MISP attribute types to sync. */
  types: readonly string[];
  /** Ask MISP to drop values on its enabled warninglists (API source only). */
  enforceWarninglist: boolean;
}

/** The restSearch filters for these settings (merged into the query by the MISP client). */
export function restSearchFilters(settings: AttributeFilterSettings): Record<string, unknown> {
  const filters: Record<string, unknown> = { type: [...settings.types] };
  if (settings.tags.length > 0) filters.tags = [...settings.tags];
  if (settings.organisations.length > 0) filters.org = [...settings.organisations];
  if (settings.enforceWarninglist) filters.enforceWarninglist = 1;
  return filters;
}

export interface EventFacts {
  tags: readonly string[];
  orgName?: string | undefined;
  orgUuid?: string | undefined;
}

/** The same rules applied locally, as MISP applies them to an attribute search. */
export interface LocalAttributeFilter {
  /** False when no attribute of the event can pass (organisation, or an excluded event tag). */
  acceptsEvent(event: EventFacts): boolean;
  acceptsAttribute(type: string, attributeTags: readonly string[], event: EventFacts): boolean;
}

export function createLocalFilter(settings: AttributeFilterSettings): LocalAttributeFilter {
  const required = settings.tags.filter((tag) => !tag.startsWith('!')).map(tagMatcher);
  const excluded = settings.tags.filter((tag) => tag.startsWith('!')).map((tag) => tagMatcher(tag.slice(1)));
  const organisations = new Set(settings.organisations.map((organisation) => organisation.toLowerCase()));
  const types = new Set(settings.types);
  const any = (matchers: Array<(tag: string) => boolean>, tags: readonly string[]): boolean => tags.some((tag) => matchers.some((matches) => matches(tag)));

  const acceptsEvent = (event: EventFacts): boolean => {
    if (organisations.size > 0) {
      const name = event.orgName?.toLowerCase();
      const uuid = event.orgUuid?.toLowerCase();
      if (!(name !== undefined && organisations.has(name)) && !(uuid !== undefined && organisations.has(uuid))) return false;
    }
    return !any(excluded, event.tags);
  };
  return {
    acceptsEvent,
    acceptsAttribute(type, attributeTags, event) {
      if (!types.has(type) || !acceptsEvent(event)) return false;
      // As MISP does for attributes: a tag counts whether the attribute or its event carries it.
      if (any(excluded, attributeTags)) return false;
      return required.length === 0 || any(required, attributeTags) || any(required, event.tags);
    },
  };
}

/** MISP compares tag names without case, and `%` stands for any run of characters. */
function tagMatcher(pattern: string): (tag: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!lower.includes('%')) return (tag) => tag.toLowerCase() === lower;
  const expression = new RegExp(`^${lower.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (tag) => expression.test(tag.toLowerCase());
}
