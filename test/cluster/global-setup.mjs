import { setUpCluster } from './cluster.mjs';

export default () => setUpCluster('full');
