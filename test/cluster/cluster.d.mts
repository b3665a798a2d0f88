export type ClusterMode = 'control-plane' | 'full';

export const clusterDir: string;
/** The mode of the running cluster, or undefined when none runs (or one is half up). */
export function runningMode(): ClusterMode | undefined;
/** Runs one of the cluster scripts with its progress on this process' stderr; throws on failure. */
export function runScript(script: string, ...args: string[]): void;
/**
 * For a tier's global setup: makes sure a cluster that offers `mode` runs (a full cluster offers
 * both), starting or completing one when needed. On a fresh machine this builds the binaries first.
 */
export function setUpCluster(mode: ClusterMode): void;
/** For a tier's global teardown: stops the cluster only if this run started it. */
export function tearDownCluster(): void;
/** The mode the cluster had before this run, if the run reused one. */
export function reusedMode(): ClusterMode | undefined;
