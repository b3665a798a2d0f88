// The version the bundle was built from: esbuild defines it from package.json (`npm run bundle`);
// run from source, the operator is "dev".
declare const SWITCHBENCH_VERSION: string | undefined;

export const VERSION = typeof SWITCHBENCH_VERSION === 'string' ? SWITCHBENCH_VERSION : 'dev';
