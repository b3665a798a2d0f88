export type ClusterMode = 'control-plane' | 'full';

export const clusterDir: string;
/** Runs one of the cluster scripts with its progress on this process' stderr; throws on failure. */
export function runScript(script: string, ...args: string[]): void;
/**
 * For a tier's global setup: makes sure a cluster that offers `mode` runs (a full cluster offers
 * both), starting or completing one when needed, and registers this run as one of its users.
 * On a fresh machine this installs packages and builds the binaries first (minutes).
 */
export function setUpCluster(mode: ClusterMode): void;
/** For a tier's global teardown: this run leaves; the last user to leave a cluster that a test
 * run started stops it. */
export function tearDownCluster(): void;
/** How many other test runs use the cluster right now. */
export function otherClusterUsers(): number;
/** Whether a test run started the running cluster (rather than `make cluster-up`). */
export function startedBySession(): boolean;
