/** Item key prefixes in the events table that infra scopes permissions by. */

/** The watcher's business counters (B2): the health job may read these items and no others. */
export const businessTallyKeyPrefix = "business-tally#";
