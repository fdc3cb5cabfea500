/** A JSON Schema as the manifest and the trigger and action files hold it: read as plain data. */
export type JsonSchema = Record<string, unknown>;
