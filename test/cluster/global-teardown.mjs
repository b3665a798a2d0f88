import { tearDownCluster } from './cluster.mjs';

// A moment first, so that what tearDownCluster reports as left open is the tests' doing, not a
// timer of jest's own reporter (it batches its output over 100 ms).
export default async () => {
  await new Promise((resolve) => setTimeout(resolve, 250));
  tearDownCluster();
};
