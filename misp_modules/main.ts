#!/usr/bin/env node
import { Module } from '@sekoia/automation-sdk-shim';
import { MISP_TO_STIX_COMMAND, MispToStixAction } from './actions/misp-to-stix.js';
import { PUBLISH_EVENT_COMMAND, PublishEventAction } from './actions/publish-event.js';
import { moduleRoot, TRIGGER_COMMAND } from './configuration/module-root.js';
import { NEW_EVENT_COMMAND, NewEventTrigger } from './new-event/new-event-trigger.js';
import { MispIdsAttributesToIocCollectionTrigger } from './trigger/misp-ids-attributes-to-ioc-collection.js';

const module = new Module({ root: moduleRoot() });
module.register(MispIdsAttributesToIocCollectionTrigger, TRIGGER_COMMAND);
module.register(PublishEventAction, PUBLISH_EVENT_COMMAND);
module.register(NewEventTrigger, NEW_EVENT_COMMAND);
module.register(MispToStixAction, MISP_TO_STIX_COMMAND);
process.exit(await module.run(process.argv.slice(2)));
